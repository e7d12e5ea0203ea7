package generate

import (
	"strings"
	"sync"
)

// style is how a pool package is released and built; it decides the url,
// the build commands and how its version drifts.
type style byte

const (
	styleBase     style = 'B'
	styleConf     style = 'C'
	styleCompiler style = 'O'
	styleTopkg    style = 'E'
	styleJane     style = 'J'
	styleRelease  style = 'D'
	styleTag      style = 'T'
)

// poolPkg is one entry of the fixed package pool.
type poolPkg struct {
	idx      int
	name     string
	versions []string // one base version, or the fixed drift sequence
	style    style
	owner    string
	repo     string
	synopsis string
	deps     []int // pool indices, in the order written
	// group names the packages released together (same repository and
	// version); they share drift parameters so that, like dns-server and
	// dns-client, they always move in lockstep.
	group string
	// fixed packages never change version (base-*, conf-*, host-*).
	fixed bool
}

type pool struct {
	pkgs   []*poolPkg
	byName map[string]int
	// missing lists dependencies named in poolData that are not in the
	// pool; a test keeps it empty.
	missing []string
}

var (
	thePool     *pool
	thePoolOnce sync.Once
)

// getPool parses poolData once; the pool is the same for every seed.
func getPool() *pool {
	thePoolOnce.Do(func() { thePool = parsePool(poolData) })
	return thePool
}

func parsePool(data string) *pool {
	p := &pool{byName: map[string]int{}}
	var depNames [][]string
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		for len(f) < 5 {
			f = append(f, "")
		}
		pk := &poolPkg{
			idx:      len(p.pkgs),
			name:     f[0],
			versions: strings.Fields(f[1]),
			synopsis: f[3],
		}
		st, repo, _ := strings.Cut(f[2], ":")
		pk.style = style(st[0])
		pk.owner, pk.repo, _ = strings.Cut(repo, "/")
		switch pk.style {
		case styleJane:
			pk.owner, pk.repo = "janestreet", pk.name
		case styleTopkg:
			pk.owner, pk.repo = "dbuenzli", pk.name
		case styleCompiler:
			pk.owner, pk.repo = "ocaml", "ocaml"
		}
		pk.fixed = pk.style == styleBase && len(pk.versions) == 1 || pk.style == styleConf
		pk.group = pk.name
		if pk.repo != "" && len(pk.versions) == 1 {
			pk.group = pk.owner + "/" + pk.repo + "@" + pk.versions[0]
		} else if len(pk.versions) > 1 {
			pk.group = "seq:" + f[1]
		}
		if _, dup := p.byName[pk.name]; dup {
			p.missing = append(p.missing, "duplicate "+pk.name)
			continue
		}
		p.byName[pk.name] = pk.idx
		p.pkgs = append(p.pkgs, pk)
		var names []string
		if f[4] != "" {
			names = strings.Split(f[4], ",")
		}
		depNames = append(depNames, names)
	}
	for i, names := range depNames {
		seen := map[int]bool{}
		for _, n := range names {
			j, ok := p.byName[n]
			if !ok {
				p.missing = append(p.missing, p.pkgs[i].name+" -> "+n)
				continue
			}
			if j == i || seen[j] {
				continue
			}
			seen[j] = true
			p.pkgs[i].deps = append(p.pkgs[i].deps, j)
		}
	}
	return p
}

// closure adds idx and everything it depends on to set, returning how many
// packages were added. It is iterative so deep chains cannot overflow.
func (p *pool) closure(idx int, set map[int]bool) int {
	added := 0
	stack := []int{idx}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if set[i] {
			continue
		}
		set[i] = true
		added++
		stack = append(stack, p.pkgs[i].deps...)
	}
	return added
}

// closureSize counts what closure would add without changing set.
func (p *pool) closureSize(idx int, set map[int]bool) int {
	seen := map[int]bool{}
	stack := []int{idx}
	n := 0
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if set[i] || seen[i] {
			continue
		}
		seen[i] = true
		n++
		stack = append(stack, p.pkgs[i].deps...)
	}
	return n
}
