package browsertest

import (
	"context"
	_ "embed" // axe-core, a test asset only
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1 from npm (axe/LICENSE: MPL-2.0). It lives
// here, not in static/: tests inject it into pages, production never serves
// it. Update: npm pack axe-core, copy package/axe.min.js and package/LICENSE.
//
//go:embed axe/axe.min.js
var axeSource string

// AxeViolation is one rule axe-core found broken on a page, with the
// selectors of (up to three of) the elements that break it.
type AxeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v AxeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s at %v", v.ID, v.Impact, v.Help, v.Targets)
}

// Axe runs axe-core's WCAG 2.1 A/AA rules on the current page and returns
// the violations. The script goes in through the DevTools protocol, which
// the pages' Content-Security-Policy does not govern.
func Axe(ctx context.Context) ([]AxeViolation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!window.axe"))
	if err != nil {
		return nil, fmt.Errorf("axe-core: %w", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+"\n;true")); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	const run = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
	.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
		targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))})))`
	return chromedp.Run(ctx, chromedp.Evaluate[[]AxeViolation](run, chromedp.EvalAwaitPromise))
}

// ScreenshotDir is where Screenshot writes: $SCREENSHOT_DIR, or a new
// directory under the system's temporary one that outlives the test so a
// reviewer can look. The test's output names it.
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "builder-web-screenshots-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// Screenshot writes a PNG of the whole page to dir/name.png.
func Screenshot(ctx context.Context, dir, name string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", name, err)
	}
	return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}
