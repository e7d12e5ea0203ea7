package views

import (
	"fmt"
	"html/template"
	"time"

	"github.com/builder-web/builder-web/static"
)

// funcMap holds the template functions. Each wraps an exported Format*
// function of format.go so pages, feeds and JSON print values identically;
// the wrappers only accept the loosely typed values templates pass around.
func funcMap(assets *static.Assets) template.FuncMap {
	return template.FuncMap{
		"static":      assets.URL,
		"time":        FormatTime,
		"rfc3339json": FormatRFC3339JSON,
		"isotime":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ago":         func(t time.Time) string { return FormatAgo(t, time.Now()) },
		"size":        func(n any) (string, error) { v, err := toInt64(n); return FormatSize(v), err },
		"duration":    FormatDuration,
		"shorthash":   func(h any) (string, error) { s, err := hexString(h); return ShortHash(s), err },
		"hex":         hexString,
		"pathescape":  PathEscape,
		"dict":        dict,
		"inc":         func(i int) int { return i + 1 },
		"count": func(n any, one, many string) (string, error) {
			v, err := toInt64(n)
			return FormatCount(v, one, many), err
		},
	}
}

// toInt64 accepts the integer types sizes come in (int from len, int64 from
// the database, uint64 from stat).
func toInt64(n any) (int64, error) {
	switch v := n.(type) {
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int64:
		return v, nil
	case uint:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case uint64:
		if v > 1<<63-1 {
			return 1<<63 - 1, nil
		}
		return int64(v), nil
	}
	return 0, fmt.Errorf("size: want an integer, got %T", n)
}

// hexString accepts a hash as hex text or raw bytes.
func hexString(h any) (string, error) {
	switch v := h.(type) {
	case string:
		return v, nil
	case []byte:
		return Hex(v), nil
	case [32]byte:
		return Hex(v[:]), nil
	}
	return "", fmt.Errorf("hash: want a string or bytes, got %T", h)
}

// dict builds a map from key/value pairs, to hand several values to a
// partial: {{template "x" dict "Hash" .H "Full" true}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
