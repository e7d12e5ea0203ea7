package opam

import "math"

// This file decides which lines changed. It follows GNU diff's analyze.c
// step by step (drop lines that cannot match, Myers' middle-snake search
// with GNU's tie-breaking, then shift_boundaries), because the reference
// showed `diff -u` output and among the many equally short diffs the same
// one should come out here.

// diffLines marks the lines of a deleted and the lines of b inserted.
func diffLines(a, b []string) (delA, insB []bool) {
	// Equivalence classes start at 1: GNU reserves 0 for lines it ignores.
	ids := map[string]int{}
	intern := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids) + 1
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	ea, eb := intern(a), intern(b)
	delA, insB = make([]bool, len(a)), make([]bool, len(b))

	// The identical head and tail take no part in matching, except for the
	// diffContext lines next to the differences (GNU's horizon lines),
	// which count as matches for discardConfusing and bound shiftBoundaries.
	pre := 0
	for pre < len(ea) && pre < len(eb) && ea[pre] == eb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ea)-pre && suf < len(eb)-pre && ea[len(ea)-1-suf] == eb[len(eb)-1-suf] {
		suf++
	}
	pre, suf = max(0, pre-diffContext), max(0, suf-diffContext)
	ma, mb := ea[pre:len(ea)-suf], eb[pre:len(eb)-suf]
	ca, cb := delA[pre:len(ea)-suf], insB[pre:len(eb)-suf]
	ua, ra := discardConfusing(ma, mb, ca)
	ub, rb := discardConfusing(mb, ma, cb)
	c := &compareCtx{xv: ua, yv: ub, xreal: ra, yreal: rb, xchanged: ca, ychanged: cb}
	n := len(ua) + len(ub) + 3
	c.fd, c.bd, c.off = make([]int, n), make([]int, n), len(ub)+1
	c.compareseq(0, len(ua), 0, len(ub))

	shiftBoundaries(ma, ca, cb)
	shiftBoundaries(mb, cb, ca)
	return delA, insB
}

// discardConfusing is GNU's discard_confusing_lines for one file: a line
// with no match in the other file is changed for sure and leaves the
// search; a line with very many matches leaves it too when it sits inside
// a run of such lines. It returns the remaining lines and their indexes.
func discardConfusing(lines, other []int, changed []bool) (kept, real []int) {
	counts := map[int]int{}
	for _, e := range other {
		counts[e]++
	}
	end := len(lines)
	many := 5
	for tem := end / 64; ; {
		tem >>= 2
		if tem <= 0 {
			break
		}
		many *= 2
	}
	discards := make([]byte, end)
	for i, e := range lines {
		switch n := counts[e]; {
		case n == 0:
			discards[i] = 1
		case n > many:
			discards[i] = 2
		}
	}
	for i := 0; i < end; i++ {
		if discards[i] == 2 {
			discards[i] = 0
			continue
		}
		if discards[i] == 0 {
			continue
		}
		// A run of discardable lines starting with a sure one.
		j, provisional := i, 0
		for ; j < end && discards[j] != 0; j++ {
			if discards[j] == 2 {
				provisional++
			}
		}
		for j > i && discards[j-1] == 2 {
			j--
			discards[j] = 0
			provisional--
		}
		length := j - i
		if provisional*4 > length {
			for j > i {
				j--
				if discards[j] == 2 {
					discards[j] = 0
				}
			}
			continue
		}
		minimum := 1
		for tem := length >> 2; ; {
			tem >>= 2
			if tem <= 0 {
				break
			}
			minimum <<= 1
		}
		minimum++
		consec := 0
		for j = 0; j < length; j++ {
			switch {
			case discards[i+j] != 2:
				consec = 0
			default:
				consec++
				if consec == minimum {
					j -= consec
				} else if consec > minimum {
					discards[i+j] = 0
				}
			}
		}
		consec = 0
		for j = 0; j < length; j++ {
			if j >= 8 && discards[i+j] == 1 {
				break
			}
			switch discards[i+j] {
			case 2:
				consec = 0
				discards[i+j] = 0
			case 0:
				consec = 0
			default:
				consec++
			}
			if consec == 3 {
				break
			}
		}
		i += length - 1
		consec = 0
		for j = 0; j < length; j++ {
			if j >= 8 && discards[i-j] == 1 {
				break
			}
			switch discards[i-j] {
			case 2:
				consec = 0
				discards[i-j] = 0
			case 0:
				consec = 0
			default:
				consec++
			}
			if consec == 3 {
				break
			}
		}
	}
	for i, e := range lines {
		if discards[i] == 0 {
			kept = append(kept, e)
			real = append(real, i)
		} else {
			changed[i] = true
		}
	}
	return kept, real
}

type compareCtx struct {
	xv, yv             []int
	xreal, yreal       []int
	xchanged, ychanged []bool
	fd, bd             []int // furthest x per diagonal, indexed by diagonal+off
	off                int
}

func (c *compareCtx) compareseq(xoff, xlim, yoff, ylim int) {
	for xoff < xlim && yoff < ylim && c.xv[xoff] == c.yv[yoff] {
		xoff++
		yoff++
	}
	for xoff < xlim && yoff < ylim && c.xv[xlim-1] == c.yv[ylim-1] {
		xlim--
		ylim--
	}
	switch {
	case xoff == xlim:
		for ; yoff < ylim; yoff++ {
			c.ychanged[c.yreal[yoff]] = true
		}
	case yoff == ylim:
		for ; xoff < xlim; xoff++ {
			c.xchanged[c.xreal[xoff]] = true
		}
	default:
		xmid, ymid := c.diag(xoff, xlim, yoff, ylim)
		c.compareseq(xoff, xmid, yoff, ymid)
		c.compareseq(xmid, xlim, ymid, ylim)
	}
}

// diag finds the midpoint of a shortest edit script of x[xoff:xlim] and
// y[yoff:ylim], searching from both corners at once; diagonals are x-y.
func (c *compareCtx) diag(xoff, xlim, yoff, ylim int) (int, int) {
	fd := func(d int) *int { return &c.fd[d+c.off] }
	bd := func(d int) *int { return &c.bd[d+c.off] }
	xv, yv := c.xv, c.yv
	dmin, dmax := xoff-ylim, xlim-yoff
	fmid, bmid := xoff-yoff, xlim-ylim
	fmin, fmax, bmin, bmax := fmid, fmid, bmid, bmid
	odd := (fmid-bmid)&1 != 0
	*fd(fmid) = xoff
	*bd(bmid) = xlim
	for {
		if fmin > dmin {
			fmin--
			*fd(fmin - 1) = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			*fd(fmax + 1) = -1
		} else {
			fmax--
		}
		for d := fmax; d >= fmin; d -= 2 {
			tlo, thi := *fd(d - 1), *fd(d + 1)
			x0 := tlo + 1
			if tlo < thi {
				x0 = thi
			}
			x, y := x0, x0-d
			for x < xlim && y < ylim && xv[x] == yv[y] {
				x++
				y++
			}
			*fd(d) = x
			if odd && bmin <= d && d <= bmax && *bd(d) <= x {
				return x, y
			}
		}
		if bmin > dmin {
			bmin--
			*bd(bmin - 1) = math.MaxInt
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			*bd(bmax + 1) = math.MaxInt
		} else {
			bmax--
		}
		for d := bmax; d >= bmin; d -= 2 {
			tlo, thi := *bd(d - 1), *bd(d + 1)
			x0 := thi - 1
			if tlo < thi {
				x0 = tlo
			}
			x, y := x0, x0-d
			for xoff < x && yoff < y && xv[x-1] == yv[y-1] {
				x--
				y--
			}
			*bd(d) = x
			if !odd && fmin <= d && d <= fmax && x <= *fd(d) {
				return x, y
			}
		}
	}
}

// shiftBoundaries slides each run of changed lines in one file, when the
// lines allow it, to merge it with neighbouring runs, then as far down as
// possible, then back up to line up with a run in the other file. It is
// GNU diff's shift_boundaries, which decides between equally short diffs;
// doing the same keeps our output like the `diff -u` builder-web showed.
func shiftBoundaries(equivs []int, changed, otherChanged []bool) {
	n := len(changed)
	// Both flag arrays get a false sentinel at each end, as in GNU diff.
	ch := make([]bool, n+2)
	copy(ch[1:], changed)
	oc := make([]bool, len(otherChanged)+2)
	copy(oc[1:], otherChanged)
	c := func(i int) *bool { return &ch[i+1] }
	o := func(j int) bool { return oc[j+1] }
	i, j := 0, 0
	for {
		for i < n && !*c(i) {
			for o(j) {
				j++
			}
			j++
			i++
		}
		if i == n {
			break
		}
		start := i
		for i++; *c(i); i++ {
		}
		for o(j) {
			j++
		}
		var corresponding int
		for {
			runlength := i - start
			for start > 0 && equivs[start-1] == equivs[i-1] {
				start--
				*c(start) = true
				i--
				*c(i) = false
				for *c(start - 1) {
					start--
				}
				for j--; o(j); j-- {
				}
			}
			corresponding = n
			if o(j - 1) {
				corresponding = i
			}
			for i != n && equivs[start] == equivs[i] {
				*c(start) = false
				start++
				*c(i) = true
				i++
				for *c(i) {
					i++
				}
				for j++; o(j); j++ {
					corresponding = i
				}
			}
			if runlength == i-start {
				break
			}
		}
		for corresponding < i {
			start--
			*c(start) = true
			i--
			*c(i) = false
			for j--; o(j); j-- {
			}
		}
	}
	copy(changed, ch[1:n+1])
}
