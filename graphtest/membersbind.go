package graphtest

import (
	"net/http"
	"strings"
)

// maxBindsPerRequest is how many members Graph adds in one PATCH /groups/{id} with
// members@odata.bind.
const maxBindsPerRequest = 20

// membersBind is the annotation of a group PATCH that adds members by reference.
const membersBind = "members@odata.bind"

// splitBinds takes members@odata.bind out of a group PATCH body: it returns the references (nil when
// the body has none) and the body without them, for checkUpdate.
func splitBinds(body []byte) ([]string, []byte, *queryError) {
	m, qerr := decodeObject(body)
	if qerr != nil {
		return nil, nil, qerr
	}
	raw, ok := m[membersBind]
	if !ok {
		return nil, body, nil
	}
	list, ok := raw.([]any)
	bad := &queryError{code: "BadRequest", msg: "The value of members@odata.bind must be an array of directory object URLs."}
	if !ok || len(list) == 0 {
		return nil, nil, bad
	}
	refs := make([]string, len(list))
	for i, v := range list {
		if refs[i], ok = v.(string); !ok {
			return nil, nil, bad
		}
	}
	if len(refs) > maxBindsPerRequest {
		return nil, nil, &queryError{code: "Request_BadRequest",
			msg: "A single request can add at most 20 members with members@odata.bind."}
	}
	delete(m, membersBind)
	return refs, marshal(m), nil
}

// resolveBinds turns the references of members@odata.bind into member ids for group g: every one must
// name an existing user or another group, and none may be a member already (nor named twice), or the
// request fails as a whole with Graph's 404 or 400. Callers hold mu.
func (d *directory) resolveBinds(g *objRec, refs []string) ([]string, int, *queryError) {
	ids := make([]string, 0, len(refs))
	seen := make(map[string]bool, len(refs))
	for _, ref := range refs {
		key, ok := refID(ref)
		if !ok {
			return nil, http.StatusBadRequest, &queryError{code: "BadRequest",
				msg: "Invalid OData reference in members@odata.bind: " + ref}
		}
		id := ""
		if u := d.byID[strings.ToLower(key)]; u != nil {
			id = u.id
		} else if o := d.groupByKey(key); o != nil && o != g {
			id = o.id
		}
		if id == "" {
			return nil, http.StatusNotFound, &queryError{code: "Request_ResourceNotFound",
				msg: "Resource '" + key + "' does not exist or one of its queried reference-property objects are not present."}
		}
		member := seen[strings.ToLower(id)]
		for _, m := range d.members[strings.ToLower(g.id)] {
			member = member || strings.EqualFold(m, id)
		}
		if member {
			return nil, http.StatusBadRequest, errAlreadyMember
		}
		seen[strings.ToLower(id)] = true
		ids = append(ids, id)
	}
	return ids, 0, nil
}
