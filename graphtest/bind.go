package graphtest

import (
	"slices"
	"strings"
)

// This file is OData's @odata.bind as POST /groups takes it: the owners and
// members of a new group, set in the request that creates it.

// maxLinkChanges is how many owners and members together Graph sets in one
// request; beyond it the request fails whole.
const maxLinkChanges = 20

// binds are the ids named by a body's owners@odata.bind and
// members@odata.bind, as sent.
type binds struct {
	owners, members []string
}

// takeBinds removes owners@odata.bind and members@odata.bind from the
// decoded body m and returns the ids their URLs name. Each must be an array
// of directoryObjects, users or groups URLs, and together they may name at
// most maxLinkChanges objects, as Graph requires.
func takeBinds(m map[string]any) (binds, *queryError) {
	var b binds
	for key, dst := range map[string]*[]string{"owners@odata.bind": &b.owners, "members@odata.bind": &b.members} {
		v, ok := m[key]
		if !ok {
			continue
		}
		delete(m, key)
		list, ok := v.([]any)
		if !ok {
			return binds{}, &queryError{code: "BadRequest",
				msg: "The value of '" + key + "' must be an array of URLs of directory objects."}
		}
		for _, e := range list {
			ref, _ := e.(string)
			id, ok := refID(ref)
			if !ok {
				return binds{}, &queryError{code: "BadRequest",
					msg: "Invalid OData reference in '" + key + "': each item must be a URL such as https://graph.microsoft.com/v1.0/directoryObjects/{id}."}
			}
			*dst = append(*dst, id)
		}
	}
	if len(b.owners)+len(b.members) > maxLinkChanges {
		return binds{}, &queryError{code: "Request_BadRequest", msg: "A resource cannot contain more than 20 link changes."}
	}
	return b, nil
}

// resolveBinds finds the objects b names and returns their ids as stored:
// owners must be users, members users or groups. An unknown id is Graph's
// 400 for the whole request. Callers hold mu.
func (d *directory) resolveBinds(b binds) (owners, members []string, qerr *queryError) {
	for _, key := range b.owners {
		u := d.byID[strings.ToLower(key)]
		if u == nil {
			return nil, nil, invalidReference(key)
		}
		owners = append(owners, u.id)
	}
	for _, key := range b.members {
		switch u, g := d.byID[strings.ToLower(key)], d.groupByKey(key); {
		case u != nil:
			members = append(members, u.id)
		case g != nil:
			members = append(members, g.id)
		default:
			return nil, nil, invalidReference(key)
		}
	}
	return owners, members, nil
}

func invalidReference(id string) *queryError {
	return &queryError{code: "Request_BadRequest", msg: "Invalid object identifier '" + id + "'."}
}

// addOwner records ownerID as an owner of groupID, both ids as stored, once.
// Callers hold mu for writing.
func (d *directory) addOwner(groupID, ownerID string) {
	gk := strings.ToLower(groupID)
	if !slices.ContainsFunc(d.owners[gk], func(id string) bool { return strings.EqualFold(id, ownerID) }) {
		d.owners[gk] = append(d.owners[gk], ownerID)
	}
}

// dropOwner removes the deleted object id from the owners of every group.
// Callers hold mu for writing.
func (d *directory) dropOwner(id string) {
	for gk, ids := range d.owners {
		d.owners[gk] = slices.DeleteFunc(ids, func(o string) bool { return strings.EqualFold(o, id) })
	}
}
