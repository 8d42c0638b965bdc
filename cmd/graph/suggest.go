package main

import (
	"slices"
	"strings"
)

// Suggestions for near misses: a misspelt command, flag or JSON property is answered with the
// closest name graph knows, as git and gh do.

// didYouMean returns `; did you mean "x"?` for the candidate closest to s, or "" when none is close.
func didYouMean(s string, candidates []string) string {
	if best := closest(s, candidates); best != "" {
		return `; did you mean "` + best + `"?`
	}
	return ""
}

// closest returns the candidate nearest to s by edit distance, ignoring case, when it is near enough
// to be a likely typo: at most one edit for short names, two for longer ones, or a differing case
// alone. Ties go to the alphabetically first candidate, so the answer is stable.
func closest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	limit := 1
	if len([]rune(s)) > 5 {
		limit = 2
	}
	sorted := slices.Clone(candidates)
	slices.Sort(sorted)
	best, bestD := "", limit+1
	ls := strings.ToLower(s)
	for _, c := range sorted {
		if c == s {
			continue
		}
		d := editDistance(ls, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (optimal string alignment) between a and b, in
// runes: insertions, deletions, substitutions and swaps of neighbours each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		// Nobody misspells a 64-character name by one letter; bound the work on hostile input.
		if a == b {
			return 0
		}
		return max(len(ra), len(rb))
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
