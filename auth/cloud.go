package auth

import (
	"fmt"
	"strings"
)

// Cloud names one Microsoft cloud: where tokens come from and where Graph
// lives. Picking a Cloud picks the token host, the Graph host and the scope
// together, so they cannot disagree.
type Cloud struct {
	// Name is the short name accepted by CloudByName: "global", "usgovl4",
	// "usgovl5" or "china".
	Name string
	// AuthorityHost is the identity platform's base URL, scheme and host with
	// no trailing slash, e.g. "https://login.microsoftonline.com".
	AuthorityHost string
	// GraphEndpoint is Graph's base URL, scheme and host with no path, e.g.
	// "https://graph.microsoft.com".
	GraphEndpoint string
}

// Scope returns the app-only scope for the cloud's Graph endpoint:
// GraphEndpoint + "/.default".
func (c Cloud) Scope() string { return c.GraphEndpoint + "/.default" }

// The national clouds Graph runs in.
var (
	// CloudGlobal is the worldwide service.
	CloudGlobal = Cloud{Name: "global", AuthorityHost: "https://login.microsoftonline.com", GraphEndpoint: "https://graph.microsoft.com"}
	// CloudUSGovL4 is Graph for US Government L4 (GCC High).
	CloudUSGovL4 = Cloud{Name: "usgovl4", AuthorityHost: "https://login.microsoftonline.us", GraphEndpoint: "https://graph.microsoft.us"}
	// CloudUSGovL5 is Graph for US Government L5 (DoD).
	CloudUSGovL5 = Cloud{Name: "usgovl5", AuthorityHost: "https://login.microsoftonline.us", GraphEndpoint: "https://dod-graph.microsoft.us"}
	// CloudChina is Graph operated by 21Vianet.
	CloudChina = Cloud{Name: "china", AuthorityHost: "https://login.chinacloudapi.cn", GraphEndpoint: "https://microsoftgraph.chinacloudapi.cn"}
)

// CloudByName returns the cloud with the given name, ignoring case. Besides
// the Name values it accepts a few common aliases ("public", "usgov", "dod",
// "gcchigh", "21vianet"). An empty name means CloudGlobal.
func CloudByName(name string) (Cloud, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "global", "public", "azurepubliccloud", "worldwide":
		return CloudGlobal, nil
	case "usgovl4", "usgov", "gcchigh", "azureusgovernment", "azureusgovernmentcloud":
		return CloudUSGovL4, nil
	case "usgovl5", "dod":
		return CloudUSGovL5, nil
	case "china", "21vianet", "azurechinacloud":
		return CloudChina, nil
	}
	return Cloud{}, fmt.Errorf("%w: unknown cloud %q (want global, usgovl4, usgovl5 or china)", ErrInvalidConfig, name)
}
