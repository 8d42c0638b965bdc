package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
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
		pages(ctx, c, req, func(p *GroupCollectionResponse) ([]Group, Nullable[string]) {
			return p.Value, p.ODataNextLink
		})(yield)
	}
}

// GroupMembers returns the direct members of the group groupID (users, groups, devices, service
// principals, organizational contacts), following @odata.nextLink like Users. Each member's
// ODataType tells its kind, such as "#microsoft.graph.user".
func (c *Client) GroupMembers(ctx context.Context, groupID string, params *ListGroupMembersParams) iter.Seq2[DirectoryObject, error] {
	return func(yield func(DirectoryObject, error) bool) {
		req, err := gen.NewListGroupMembersRequest(c.server, groupID, params)
		if err != nil {
			yield(DirectoryObject{}, err)
			return
		}
		pages(ctx, c, req, func(p *DirectoryObjectCollectionResponse) ([]DirectoryObject, Nullable[string]) {
			return p.Value, p.ODataNextLink
		})(yield)
	}
}

// errEmptyID is returned by helpers given an empty object id, which would address another resource.
var errEmptyID = errors.New("graph: empty group or member id")

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
	if groupID == "" || memberID == "" {
		return errEmptyID
	}
	ref := c.server + "directoryObjects/" + url.PathEscape(memberID)
	_, err := c.ClientWithResponses.AddGroupMemberWithResponse(ctx, groupID, ReferenceCreate{ODataID: &ref})
	return err
}

// maxMembersPerPatch is how many members Graph adds in one PATCH /groups/{id} with
// members@odata.bind.
const maxMembersPerPatch = 20

// AddGroupMembers makes every directory object of memberIDs a member of the group groupID, 20 per
// request (PATCH /groups/{group-id} with members@odata.bind, Graph's limit). Ids named twice are
// sent once. The requests go one after the other, since Graph serializes writes to one group anyway;
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
	if groupID == "" {
		return errEmptyID
	}
	ids := make([]string, 0, len(memberIDs))
	seen := make(map[string]bool, len(memberIDs))
	for _, id := range memberIDs {
		if id == "" {
			return errEmptyID
		}
		if k := strings.ToLower(id); !seen[k] {
			seen[k] = true
			ids = append(ids, id)
		}
	}
	var errs []error
	for start := 0; start < len(ids); start += maxMembersPerPatch {
		if err := ctx.Err(); err != nil {
			// Name what was not sent, so that the caller knows what to add again.
			errs = append(errs, &AddMembersError{GroupID: groupID, MemberIDs: ids[start:], Err: err})
			break
		}
		chunk := ids[start:min(start+maxMembersPerPatch, len(ids))]
		refs := make([]string, len(chunk))
		for i, id := range chunk {
			refs[i] = c.server + "directoryObjects/" + url.PathEscape(id)
		}
		body, err := json.Marshal(map[string][]string{"members@odata.bind": refs})
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
