package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// WantsJSON reports whether the Accept header prefers application/json over
// text/html, honouring q-values and wildcards (product.md §2.3). On a tie
// HTML wins, so browsers and `*/*` get pages.
func WantsJSON(c *fiber.Ctx) bool {
	return prefersJSON(c.Get(fiber.HeaderAccept))
}

func prefersJSON(accept string) bool {
	if accept == "" {
		return false
	}
	jsonQ, jsonSpec := -1.0, -1
	htmlQ, htmlSpec := -1.0, -1
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		media := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if s := specificity(media, "application/json"); s > jsonSpec {
			jsonQ, jsonSpec = q, s
		}
		if s := specificity(media, "text/html"); s > htmlSpec {
			htmlQ, htmlSpec = q, s
		}
	}
	return jsonSpec == 2 && jsonQ > 0 && jsonQ > htmlQ
}

// specificity is 2 for an exact match, 1 for type/*, 0 for */*, -1 for none.
func specificity(media, want string) int {
	switch {
	case media == want:
		return 2
	case media == "*/*":
		return 0
	case strings.HasSuffix(media, "/*") && strings.HasPrefix(want, strings.TrimSuffix(media, "*")):
		return 1
	}
	return -1
}
