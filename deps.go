//go:build tools

// Package deps pins the chosen dependencies until code imports each of them.
package deps

import (
	_ "github.com/alexedwards/argon2id"
	_ "github.com/chromedp/chromedp"
	_ "github.com/gofiber/fiber/v2"
	_ "github.com/mattn/go-sqlite3"
	_ "github.com/rubenv/sql-migrate"
	_ "github.com/uptrace/bun"
	_ "github.com/uptrace/bun/dialect/sqlitedialect"
	_ "github.com/yuin/goldmark"
	_ "golang.org/x/crypto/cryptobyte"
	_ "golang.org/x/crypto/scrypt"
)
