package db

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cursor is a position in a list of builds ordered by start time: the start
// and id of the last build a page showed. Lists go on after it, so a page
// stays stable while new builds arrive (unlike offsets).
type Cursor struct {
	StartD, StartPS int64
	ID              int64
}

// CursorOf returns the position of b.
func CursorOf(b *Build) Cursor { return Cursor{StartD: b.StartD, StartPS: b.StartPS, ID: b.ID} }

// String is the cursor's form in URLs and JSON ("next_cursor"): three
// integers joined with dots. Clients treat it as opaque.
func (c Cursor) String() string {
	return strconv.FormatInt(c.StartD, 10) + "." + strconv.FormatInt(c.StartPS, 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCursor reads a cursor written by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Cursor{}, fmt.Errorf("cursor %q: want three numbers", s)
	}
	var n [3]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return Cursor{}, fmt.Errorf("cursor %q: %w", s, err)
		}
		n[i] = v
	}
	if n[1] < 0 || n[1] >= secondsPerDay*psPerSecond {
		return Cursor{}, fmt.Errorf("cursor %q: picoseconds out of range", s)
	}
	return Cursor{StartD: n[0], StartPS: n[1], ID: n[2]}, nil
}

// Start is the cursor's start time.
func (c Cursor) Start() time.Time { return TimeFromPtime(c.StartD, c.StartPS) }
