package graphtest

import "strings"

// This file is @odata.bind as PATCH /groups/{id} takes it: members (and
// owners) added to an existing group, up to 20 in one request, all or none.

// checkNewMembers refuses, with Graph's 400, members of g that are members
// already or named twice: the whole request then fails and none is added.
// Callers hold mu.
func (d *directory) checkNewMembers(g *objRec, members []string) *queryError {
	seen := make(map[string]bool, len(members))
	for _, id := range members {
		k := strings.ToLower(id)
		already := seen[k]
		for _, m := range d.members[strings.ToLower(g.id)] {
			already = already || strings.EqualFold(m, id)
		}
		if already {
			return errAlreadyMember
		}
		seen[k] = true
	}
	return nil
}
