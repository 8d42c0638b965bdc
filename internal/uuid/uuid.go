// Package uuid makes the random (version 4) UUIDs typedgraph sends and serves: client-request-id
// headers, assertion jti claims, the fake's object ids.
package uuid

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
)

// New returns a random version 4 UUID in its canonical form, e.g.
// "1f2e0e4c-8d1b-4c3a-9f0e-2b7d5a6c8e91". It reads crypto/rand, which does not fail on Go 1.24 and
// later (it crashes the program instead).
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return Format(b)
}

// NewID returns a random version 4 UUID for an identifier that must be unique but need not be
// unpredictable, such as a client-request-id. It draws from math/rand/v2's global generator (ChaCha8,
// seeded by the runtime from the operating system), which costs a few nanoseconds where crypto/rand
// costs a system call's worth. Use New for anything an attacker must not guess (an assertion's jti).
func NewID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], mrand.Uint64())
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
