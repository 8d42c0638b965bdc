package graph

// This file is how ids reach Graph: as path parameters, which every request builder checks, and as the
// references (@odata.id, @odata.bind) that helpers build from them.

import (
	"net/url"

	"github.com/typedgraph/graph/gen"
)

type (
	// PathParamError reports an id (a path parameter) refused before any request was sent: empty, or one
	// that would change the request's path (".", "..", or holding "/" or "\"). Every typed call and
	// helper checks its ids this way; Param names the parameter ("user-id", "group-id", ...). Its fields:
	// go doc github.com/typedgraph/graph/gen.PathParamError.
	PathParamError = gen.PathParamError
)

// DirectoryObjectURL returns the URL Graph takes as a reference to the directory object id (a user, a
// group, a device, ...) in @odata.id and @odata.bind: "<base URL>/directoryObjects/<id>". An empty id,
// or one that would change the path, is a *PathParamError.
func (c *Client) DirectoryObjectURL(id string) (string, error) {
	escaped := url.PathEscape(id)
	if err := gen.CheckPathParam("directoryObject-id", escaped); err != nil {
		return "", err
	}
	return c.server + "directoryObjects/" + escaped, nil
}
