// Package uuid makes the random (version 4) UUIDs typedgraph sends and serves: client-request-id
// headers, assertion jti claims, the fake's object ids.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random version 4 UUID in its canonical form, e.g.
// "1f2e0e4c-8d1b-4c3a-9f0e-2b7d5a6c8e91". It reads crypto/rand, which does not fail on Go 1.24 and
// later (it crashes the program instead).
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return Format(b)
}

// Format returns b as a version 4 UUID: the version and variant bits are set, the other 122 bits are
// b's. Deterministic ids (a seeded fake directory) use it with bytes of their own.
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
