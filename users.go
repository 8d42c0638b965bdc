package graph

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/nullable"
)

// Friendly names for the generated types most programs touch. They are aliases: a graph.User is a
// gen.MicrosoftGraphUser, and the two can be used interchangeably.
type (
	// User is a Microsoft Graph user (microsoft.graph.user).
	//
	// Its fields are those of [gen.MicrosoftGraphUser]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphUser
	User = gen.MicrosoftGraphUser
	// DirectoryObject is a directory object (microsoft.graph.directoryObject); ODataType tells its kind,
	// such as "#microsoft.graph.group".
	//
	// Its fields are those of [gen.MicrosoftGraphDirectoryObject]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphDirectoryObject
	DirectoryObject = gen.MicrosoftGraphDirectoryObject
	// PasswordProfile is a user's password profile, required when creating a user.
	//
	// Its fields are those of [gen.MicrosoftGraphPasswordProfile]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphPasswordProfile
	PasswordProfile = gen.MicrosoftGraphPasswordProfile
	// EmployeeOrgData is a user's cost center and division.
	//
	// Its fields are those of [gen.MicrosoftGraphEmployeeOrgData]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphEmployeeOrgData
	EmployeeOrgData = gen.MicrosoftGraphEmployeeOrgData
	// SignInActivity is a user's last sign-ins; Graph returns it only when selected.
	//
	// Its fields are those of [gen.MicrosoftGraphSignInActivity]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphSignInActivity
	SignInActivity = gen.MicrosoftGraphSignInActivity
	// AssignedLicense is a license assigned to a user.
	//
	// Its fields are those of [gen.MicrosoftGraphAssignedLicense]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphAssignedLicense
	AssignedLicense = gen.MicrosoftGraphAssignedLicense
	// ObjectIdentity is an identity a user can sign in with.
	//
	// Its fields are those of [gen.MicrosoftGraphObjectIdentity]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphObjectIdentity
	ObjectIdentity = gen.MicrosoftGraphObjectIdentity
	// OnPremisesExtensionAttributes are extensionAttribute1 to 15 of a user.
	//
	// Its fields are those of [gen.MicrosoftGraphOnPremisesExtensionAttributes]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphOnPremisesExtensionAttributes
	OnPremisesExtensionAttributes = gen.MicrosoftGraphOnPremisesExtensionAttributes
	// MailboxSettings are a user's mailbox settings.
	//
	// Its fields are those of [gen.MicrosoftGraphMailboxSettings]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphMailboxSettings
	MailboxSettings = gen.MicrosoftGraphMailboxSettings
	// UserCollectionResponse is one page of users.
	//
	// Its fields are those of [gen.MicrosoftGraphUserCollectionResponse]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphUserCollectionResponse
	UserCollectionResponse = gen.MicrosoftGraphUserCollectionResponse
	// UserDeltaResponse is one page of a users delta round.
	//
	// Its fields are those of [gen.MicrosoftGraphUserDeltaResponse]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphUserDeltaResponse
	UserDeltaResponse = gen.MicrosoftGraphUserDeltaResponse
	// DirectoryObjectCollectionResponse is one page of directory objects.
	//
	// Its fields are those of [gen.MicrosoftGraphDirectoryObjectCollectionResponse]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphDirectoryObjectCollectionResponse
	DirectoryObjectCollectionResponse = gen.MicrosoftGraphDirectoryObjectCollectionResponse
	// ODataError is the body of a Graph error answer, as sent on the wire. Calls return *Error instead.
	//
	// Its fields are those of [gen.MicrosoftGraphODataErrorsODataError]: go doc github.com/typedgraph/graph/gen.MicrosoftGraphODataErrorsODataError
	ODataError = gen.MicrosoftGraphODataErrorsODataError

	// ListUsersParams are the query options of ListUsers and Users.
	//
	// Its fields are those of [gen.ListUsersParams]: go doc github.com/typedgraph/graph/gen.ListUsersParams
	ListUsersParams = gen.ListUsersParams
	// GetUserParams are the query options of GetUser.
	//
	// Its fields are those of [gen.GetUserParams]: go doc github.com/typedgraph/graph/gen.GetUserParams
	GetUserParams = gen.GetUserParams
	// CountUsersParams are the query options of CountUsers.
	//
	// Its fields are those of [gen.CountUsersParams]: go doc github.com/typedgraph/graph/gen.CountUsersParams
	CountUsersParams = gen.CountUsersParams
	// DeltaUsersParams are the query options of DeltaUsers.
	//
	// Its fields are those of [gen.DeltaUsersParams]: go doc github.com/typedgraph/graph/gen.DeltaUsersParams
	DeltaUsersParams = gen.DeltaUsersParams
	// DeleteUserParams are the options of DeleteUser.
	//
	// Its fields are those of [gen.DeleteUserParams]: go doc github.com/typedgraph/graph/gen.DeleteUserParams
	DeleteUserParams = gen.DeleteUserParams
	// ListUserMemberOfParams are the query options of ListUserMemberOf and UserMemberOf.
	//
	// Its fields are those of [gen.ListUserMemberOfParams]: go doc github.com/typedgraph/graph/gen.ListUserMemberOfParams
	ListUserMemberOfParams = gen.ListUserMemberOfParams

	// Nullable is a property that can be unset (its zero value), explicitly null, or hold a value.
	// Unset properties are left out of request bodies; null ones are sent as JSON null, which clears
	// them in an update. Read one with Get (an error when there is no value) or GetOrEmpty; build one
	// with Value or Null. See package nullable.
	Nullable[T any] = nullable.Nullable[T]
)

// Value returns a Nullable holding v.
func Value[T any](v T) Nullable[T] { return nullable.Value(v) }

// Null returns a Nullable that is explicitly null: sent as JSON null, it clears a property.
func Null[T any]() Nullable[T] { return nullable.Null[T]() }

// Ptr returns a pointer to v, for the non-nullable optional properties (User.ID, User.Birthday, ...).
func Ptr[T any](v T) *T { return &v }

// ConsistencyEventual is the ConsistencyLevel value Graph requires for $search, $count and advanced
// $filter and $orderby queries.
const ConsistencyEventual = "eventual"

// Users returns every user that params select, following @odata.nextLink across pages. The page size is
// Graph's default (100) unless params.Top sets it (1 to 999). params.ConsistencyLevel is sent with every
// page. Iteration stops at the first error, which is yielded once.
//
// A nextLink whose scheme, host or base path differs from the client's base URL ends the iteration
// with ErrForeignNextLink before any request is sent to it.
func (c *Client) Users(ctx context.Context, params *ListUsersParams) iter.Seq2[User, error] {
	return func(yield func(User, error) bool) {
		req, err := gen.NewListUsersRequest(c.server, params)
		if err != nil {
			yield(User{}, err)
			return
		}
		Pages[User](ctx, c, req)(yield)
	}
}

// UserMemberOf returns the groups, directory roles and administrative units the user userID (an id
// or a userPrincipalName) is a direct member of, following @odata.nextLink like Users. Each item is
// decoded once into the type its @odata.type names: m.Group() gives a Group with the properties Graph
// sent (params.Select picks them), without another request.
func (c *Client) UserMemberOf(ctx context.Context, userID string, params *ListUserMemberOfParams) iter.Seq2[DirectoryItem, error] {
	return func(yield func(DirectoryItem, error) bool) {
		req, err := gen.NewListUserMemberOfRequest(c.server, userID, params)
		if err != nil {
			yield(DirectoryItem{}, err)
			return
		}
		Pages[DirectoryItem](ctx, c, req)(yield)
	}
}

// CountUsers returns the number of users that params select (GET /users/$count). Graph requires
// ConsistencyLevel: eventual for this call, so it is sent unless params set another value.
//
// It shadows the generated CountUsers, which stays available as c.ClientWithResponses.CountUsers.
func (c *Client) CountUsers(ctx context.Context, params *CountUsersParams) (int, error) {
	if ctx == nil {
		return 0, errNilContext
	}
	p := CountUsersParams{}
	if params != nil {
		p = *params
	}
	if p.ConsistencyLevel == nil {
		p.ConsistencyLevel = Ptr(ConsistencyEventual)
	}
	resp, err := c.ClientWithResponses.CountUsersWithResponse(ctx, &p)
	if err != nil {
		return 0, err
	}
	return parseCount(resp.HTTPResponse, resp.Body)
}

// parseCount reads a text/plain $count answer. Graph may start it with a UTF-8 byte order mark.
func parseCount(resp *http.Response, body []byte) (int, error) {
	s := strings.TrimSpace(strings.TrimPrefix(string(body), "\ufeff"))
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, unexpected(resp, "the body is not a count")
	}
	return n, nil
}
