package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/typedgraph/graph/gen"
)

// Friendly names for the generated group types. Like those in users.go they are aliases.
type (
	// Group is a Microsoft Graph group (microsoft.graph.group): a security group, a Microsoft 365
	// group (GroupTypes holds "Unified") or a distribution group.
	//
	// Its fields are those of [gen.MicrosoftGraphGroup]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphGroup
	Group = gen.MicrosoftGraphGroup
	// GroupCollectionResponse is one page of groups.
	//
	// Its fields are those of [gen.MicrosoftGraphGroupCollectionResponse]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphGroupCollectionResponse
	GroupCollectionResponse = gen.MicrosoftGraphGroupCollectionResponse
	// AssignedLabel is a sensitivity label of a Microsoft 365 group.
	//
	// Its fields are those of [gen.MicrosoftGraphAssignedLabel]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphAssignedLabel
	AssignedLabel = gen.MicrosoftGraphAssignedLabel
	// LicenseProcessingState tells how far group-based licensing has got with a group.
	//
	// Its fields are those of [gen.MicrosoftGraphLicenseProcessingState]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphLicenseProcessingState
	LicenseProcessingState = gen.MicrosoftGraphLicenseProcessingState
	// ReferenceCreate is the body of a POST to a $ref path: {"@odata.id": "<URL of the object>"}.
	//
	// Its fields are those of [gen.ReferenceCreate]: go doc github.com/typedgraph/graph/gen.ReferenceCreate
	ReferenceCreate = gen.ReferenceCreate

	// ListGroupsParams are the query options of ListGroups and Groups.
	//
	// Its fields are those of [gen.ListGroupsParams]: go doc github.com/typedgraph/graph/gen.ListGroupsParams
	ListGroupsParams = gen.ListGroupsParams
	// GetGroupParams are the query options of GetGroup.
	//
	// Its fields are those of [gen.GetGroupParams]: go doc github.com/typedgraph/graph/gen.GetGroupParams
	GetGroupParams = gen.GetGroupParams
	// DeleteGroupParams are the options of DeleteGroup.
	//
	// Its fields are those of [gen.DeleteGroupParams]: go doc github.com/typedgraph/graph/gen.DeleteGroupParams
	DeleteGroupParams = gen.DeleteGroupParams
	// ListGroupMembersParams are the query options of ListGroupMembers and GroupMembers.
	//
	// Its fields are those of [gen.ListGroupMembersParams]: go doc github.com/typedgraph/graph/gen.ListGroupMembersParams
	ListGroupMembersParams = gen.ListGroupMembersParams
	// RemoveGroupMemberParams are the options of RemoveGroupMember.
	//
	// Its fields are those of [gen.RemoveGroupMemberParams]: go doc github.com/typedgraph/graph/gen.RemoveGroupMemberParams
	RemoveGroupMemberParams = gen.RemoveGroupMemberParams
)

// Groups returns every group that params select, following @odata.nextLink across pages like Users.
// The page size is Graph's default (100) unless params.Top sets it (1 to 999); Graph does not
// support params.Skip on groups. params.ConsistencyLevel is sent with every page.
func (c *Client) Groups(ctx context.Context, params *ListGroupsParams) iter.Seq2[Group, error] {
	return func(yield func(Group, error) bool) {
		req, err := gen.NewListGroupsRequest(c.server, params)
		if err != nil {
			yield(Group{}, err)
			return
		}
		Pages[Group](ctx, c, req)(yield)
	}
}

// GroupMembers returns the direct members of the group groupID (users, groups, devices, service
// principals, organizational contacts), following @odata.nextLink like Users. Each member is decoded
// once into the type its @odata.type names: m.User() gives a User with the properties Graph sent
// (params.Select picks them), m.Group() a Group, without another request.
func (c *Client) GroupMembers(ctx context.Context, groupID string, params *ListGroupMembersParams) iter.Seq2[DirectoryItem, error] {
	return func(yield func(DirectoryItem, error) bool) {
		req, err := gen.NewListGroupMembersRequest(c.server, groupID, params)
		if err != nil {
			yield(DirectoryItem{}, err)
			return
		}
		Pages[DirectoryItem](ctx, c, req)(yield)
	}
}

// AddGroupMember makes the directory object memberID (a user, a group, a device, ...) a member of
// the group groupID (POST /groups/{group-id}/members/$ref). It sends the reference Graph requires,
// {"@odata.id": "<base URL>/directoryObjects/<memberID>"}. Graph answers 400 when memberID already
// is a member, and 404 when either object does not exist; both come back as *Error.
//
// It shadows the generated AddGroupMember, which stays available as
// c.ClientWithResponses.AddGroupMember, as does AddGroupMemberWithResponse.
func (c *Client) AddGroupMember(ctx context.Context, groupID, memberID string) error {
	if ctx == nil {
		return errNilContext
	}
	ref, err := c.DirectoryObjectURL(memberID)
	if err != nil {
		return err
	}
	_, err = c.ClientWithResponses.AddGroupMemberWithResponse(ctx, groupID, ReferenceCreate{ODataID: &ref})
	return err
}

// AddGroupMemberIfAbsent is AddGroupMember for steps that may run twice (a retried or repeated
// provisioning job): a memberID that already is a member of groupID is success, not Graph's 400. Every
// other answer is an error as with AddGroupMember.
func (c *Client) AddGroupMemberIfAbsent(ctx context.Context, groupID, memberID string) error {
	err := c.AddGroupMember(ctx, groupID, memberID)
	if AlreadyMember(err) {
		return nil
	}
	return err
}

// RemoveGroupMember removes the directory object memberID from the members of the group groupID
// (DELETE /groups/{group-id}/members/{member-id}/$ref). Graph answers 404 when memberID is not a
// member, as when either object does not exist; each comes back as *Error.
//
// It shadows the generated RemoveGroupMember, which stays available as
// c.ClientWithResponses.RemoveGroupMember, as does RemoveGroupMemberWithResponse.
func (c *Client) RemoveGroupMember(ctx context.Context, groupID, memberID string) error {
	if ctx == nil {
		return errNilContext
	}
	_, err := c.ClientWithResponses.RemoveGroupMemberWithResponse(ctx, groupID, memberID, nil)
	return err
}

// RemoveGroupMemberIfPresent is RemoveGroupMember for steps that may run twice: a memberID that is
// not a member of groupID is success, not Graph's 404. A 404 about the group itself stays an error.
// With a consistency policy on, Graph's answer that memberID is not a member is taken as the answer at
// once, not as replication lag.
func (c *Client) RemoveGroupMemberIfPresent(ctx context.Context, groupID, memberID string) error {
	if ctx == nil {
		return errNilContext
	}
	err := c.RemoveGroupMember(context.WithValue(ctx, answerKey{}, memberID), groupID, memberID)
	if NotMember(err, memberID) {
		return nil
	}
	return err
}

// AlreadyMember reports whether err is Graph's answer to adding a member that already is one: 400
// "One or more added object references already exist for the following modified properties:
// 'members'."
func AlreadyMember(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusBadRequest &&
		strings.Contains(e.Message, "added object references already exist")
}

// NotMember reports whether err is Graph's answer to removing memberID from a group it is not a member
// of: a 404 whose message names memberID (a 404 naming the group means the group was not found).
func NotMember(err error, memberID string) bool {
	var e *Error
	return memberID != "" && errors.As(err, &e) && e.StatusCode == http.StatusNotFound &&
		strings.Contains(strings.ToLower(e.Message), "'"+strings.ToLower(memberID)+"'")
}

// CreateGroup creates group (POST /groups) with the directory objects ownerIDs as its owners and
// memberIDs as its members, in the one request (Graph's owners@odata.bind and members@odata.bind, built
// with DirectoryObjectURL), and returns the group Graph created. A group that an app creates without
// an owner has none, so name at least one where people will manage it.
//
// Graph requires displayName, mailEnabled, mailNickname and securityEnabled. It sets at most 20 owners
// and members together in one request and answers 400 beyond that, as it does for an id that names no
// object; the group is then not created. Add more members afterwards with AddGroupMember. An empty id,
// or one that would change the URL, is a *PathParamError and nothing is sent.
//
// It shadows the generated CreateGroup, which stays available as c.ClientWithResponses.CreateGroup, as
// does CreateGroupWithResponse.
func (c *Client) CreateGroup(ctx context.Context, group Group, ownerIDs, memberIDs []string) (*Group, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	body, err := json.Marshal(group)
	if err != nil {
		return nil, err
	}
	for _, rel := range []struct {
		key string
		ids []string
	}{{"owners@odata.bind", ownerIDs}, {"members@odata.bind", memberIDs}} {
		if len(rel.ids) == 0 {
			continue
		}
		if body, err = c.appendBind(body, rel.key, rel.ids); err != nil {
			return nil, err
		}
	}
	resp, err := c.ClientWithResponses.CreateGroupWithBodyWithResponse(ctx, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return resp.JSON201, nil
}

// appendBind adds "key": [URL of each id] to the JSON object obj.
func (c *Client) appendBind(obj []byte, key string, ids []string) ([]byte, error) {
	obj = bytes.TrimRight(obj, " \n")
	if len(obj) < 2 || obj[len(obj)-1] != '}' {
		return nil, errors.New("graph: a group does not encode as a JSON object")
	}
	out := obj[:len(obj)-1]
	if len(bytes.TrimSpace(out)) > 1 { // not "{": the object has members already
		out = append(out, ',')
	}
	out = strconv.AppendQuote(out, key)
	out = append(out, ":["...)
	for i, id := range ids {
		u, err := c.DirectoryObjectURL(id)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		b, err := json.Marshal(u)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return append(out, "]}"...), nil
}

// maxMembersPerPatch is how many members Graph adds in one PATCH /groups/{id} with
// members@odata.bind.
const maxMembersPerPatch = 20

// AddGroupMembers makes every directory object of memberIDs a member of the group groupID, 20 per
// request (PATCH /groups/{group-id} with members@odata.bind, Graph's limit). Ids named twice are
// sent once. An empty id, or one that would change a URL, is a *PathParamError and nothing is sent. The requests go one after the other, since Graph serializes writes to one group anyway;
// each is retried like any call.
//
// Graph adds the members of one request all or none: a request it refuses (a member that already is
// one, an id that does not exist) fails as a whole. AddGroupMembers goes on with the other chunks and
// returns, joined, an *AddMembersError per refused chunk naming its ids; errors.As finds the first.
// When ctx ends, the ids not sent are named by a last *AddMembersError whose Err is ctx's error.
func (c *Client) AddGroupMembers(ctx context.Context, groupID string, memberIDs []string) error {
	if ctx == nil {
		return errNilContext
	}
	if err := gen.CheckPathParam("group-id", url.PathEscape(groupID)); err != nil {
		return err // refused once, rather than once per chunk
	}
	ids := make([]string, 0, len(memberIDs))
	refs := make(map[string]string, len(memberIDs)) // lower-cased id -> its reference, for each id sent
	for _, id := range memberIDs {
		key := strings.ToLower(id) // object ids are GUIDs, which Graph compares ignoring case
		if _, dup := refs[key]; dup {
			continue
		}
		ref, err := c.DirectoryObjectURL(id)
		if err != nil {
			return err
		}
		refs[key] = ref
		ids = append(ids, id)
	}
	var errs []error
	for start := 0; start < len(ids); start += maxMembersPerPatch {
		if err := ctx.Err(); err != nil {
			// Name what was not sent, so that the caller knows what to add again.
			errs = append(errs, &AddMembersError{GroupID: groupID, MemberIDs: ids[start:], Err: err})
			break
		}
		chunk := ids[start:min(start+maxMembersPerPatch, len(ids))]
		bind := make([]string, len(chunk))
		for i, id := range chunk {
			bind[i] = refs[strings.ToLower(id)]
		}
		body, err := json.Marshal(map[string][]string{"members@odata.bind": bind})
		if err == nil {
			_, err = c.ClientWithResponses.UpdateGroupWithBodyWithResponse(ctx, groupID, "application/json", bytes.NewReader(body))
		}
		if err != nil {
			errs = append(errs, &AddMembersError{GroupID: groupID, MemberIDs: chunk, Err: err})
		}
	}
	return errors.Join(errs...)
}

// AddMembersError reports one request of AddGroupMembers that failed: none of its MemberIDs were
// added. Err is the cause, an *Error when Graph refused the request.
type AddMembersError struct {
	GroupID   string
	MemberIDs []string
	Err       error
}

// Error names the group, the ids of the request and what went wrong.
func (e *AddMembersError) Error() string {
	return fmt.Sprintf("graph: adding %d members to group %s (%s): %s",
		len(e.MemberIDs), e.GroupID, strings.Join(e.MemberIDs, ", "), strings.TrimPrefix(e.Err.Error(), "graph: "))
}

// Unwrap returns the cause.
func (e *AddMembersError) Unwrap() error { return e.Err }
