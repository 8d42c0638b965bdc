package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/typedgraph/graph/auth"
)

// tokenInfo is what graph token shows about an access token: when it expires and the claims that say
// whom it is for and what it allows. It never holds the token itself.
type tokenInfo struct {
	Tenant    string     `json:"tenantId,omitempty"`
	AppID     string     `json:"appId,omitempty"`
	AppName   string     `json:"appDisplayName,omitempty"`
	Audience  string     `json:"audience,omitempty"`
	Roles     []string   `json:"roles"`
	IssuedAt  *time.Time `json:"issuedAt,omitempty"`
	ExpiresOn time.Time  `json:"expiresOn"`
	// ExpiresIn is the time left, in whole seconds, when the token was printed.
	ExpiresIn int64 `json:"expiresInSeconds"`
	// Opaque is set when the token is not a JWT whose claims can be read.
	Opaque bool `json:"opaque,omitempty"`
}

// maxJWTBytes bounds the access token graph token is willing to decode; Entra tokens are 1 to 4 KB.
const maxJWTBytes = 64 << 10

// readClaims reads the non-secret claims of an access token without verifying its signature: graph is
// not the token's audience and has no business verifying it; it only reports what the token says.
// ok is false for a token that is not a readable JWT (opaque or encrypted).
func readClaims(accessToken string) (info tokenInfo, ok bool) {
	if len(accessToken) > maxJWTBytes || strings.Count(accessToken, ".") != 2 {
		return tokenInfo{}, false
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(accessToken, claims); err != nil {
		return tokenInfo{}, false
	}
	str := func(name string) string {
		s, _ := claims[name].(string)
		return sanitize(s)
	}
	info.Tenant = str("tid")
	info.AppID = str("appid") // v1.0 tokens, which Graph app-only tokens are
	if info.AppID == "" {
		info.AppID = str("azp") // v2.0 tokens
	}
	info.AppName = str("app_displayname")
	if aud, err := claims.GetAudience(); err == nil {
		info.Audience = sanitize(strings.Join(aud, " "))
	}
	if roles, ok := claims["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				info.Roles = append(info.Roles, sanitize(s))
			}
		}
	}
	if iat, err := claims.GetIssuedAt(); err == nil && iat != nil && saneTime(iat.Time) {
		t := iat.UTC()
		info.IssuedAt = &t
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil && saneTime(exp.Time) {
		info.ExpiresOn = exp.UTC()
	}
	return info, true
}

// saneTime reports whether a claim's time is one a real token could carry; others are ignored rather
// than printed as nonsense.
func saneTime(t time.Time) bool {
	return t.After(time.Unix(0, 0)) && t.Year() < 10000
}

// token implements "graph token".
func (c *cli) token(ctx context.Context, g *globalFlags, args []string) error {
	const cmd = "graph token"
	fs := newFlagSet(cmd)
	g.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return c.flagError(fs, cmd, err, tokenHelp)
	}
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	ctx, cancel := c.withTimeout(ctx, g.conn.timeout)
	defer cancel()
	t, err := c.connect(&g.conn, cmd)
	if err != nil {
		return err
	}
	defer t.close()
	cc, err := auth.NewClientCredentials(t.auth)
	if err != nil {
		return err
	}
	tok, err := cc.Token(ctx)
	if err != nil {
		return err
	}

	info, ok := readClaims(tok.AccessToken)
	if !ok {
		info = tokenInfo{Opaque: true}
	}
	if info.ExpiresOn.IsZero() {
		info.ExpiresOn = tok.ExpiresOn.UTC() // the local clock's view, from expires_in
	}
	if info.Roles == nil {
		info.Roles = []string{}
	}
	now := c.now()
	info.ExpiresIn = int64(info.ExpiresOn.Sub(now) / time.Second)

	if c.wantJSON(g.json) {
		return newEncoder(c.stdout).Encode(info)
	}
	var tab table // cut to the terminal's width like every table
	row := func(k, v string) {
		if v != "" {
			tab.add(k, v)
		}
	}
	if info.Opaque {
		row("claims", "none readable: the token is not a JWT")
	}
	row("tenant", info.Tenant)
	row("app id", info.AppID)
	row("app name", info.AppName)
	row("audience", info.Audience)
	if !info.Opaque {
		roles := strings.Join(info.Roles, ", ")
		if roles == "" {
			roles = "(none: the app has no application permissions granted)"
		}
		row("roles", roles)
	}
	if info.IssuedAt != nil {
		row("issued", info.IssuedAt.Format(time.RFC3339))
	}
	row("expires", fmt.Sprintf("%s (%s)", info.ExpiresOn.Format(time.RFC3339), untilText(info.ExpiresOn.Sub(now))))
	return tab.write(c.stdout, c.tableWidth())
}

// untilText describes a remaining lifetime in whole seconds, "in 59m59s" or "expired 10s ago".
func untilText(d time.Duration) string {
	d = d.Truncate(time.Second)
	if d < 0 {
		return "expired " + (-d).String() + " ago"
	}
	return "in " + d.String()
}
