// Package uuid4 makes random (version 4) UUIDs from ChaCha8 generators
// seeded from crypto/rand: as unpredictable as uuid.New, without a system
// call for each. The console tokens of the model and the request ids of the
// middleware both come from here.
package uuid4

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"sync"

	"github.com/google/uuid"
)

// generators are ChaCha8 generators, each seeded from crypto/rand.
var generators = sync.Pool{New: func() any {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("uuid4: no randomness from crypto/rand: " + err.Error())
	}
	return rand.NewChaCha8(seed)
}}

// New returns a random version 4 UUID (RFC 4122 variant).
func New() uuid.UUID {
	g := generators.Get().(*rand.ChaCha8)
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], g.Uint64())
	binary.LittleEndian.PutUint64(u[8:], g.Uint64())
	generators.Put(g)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// Uint64 returns a random number from the same source.
func Uint64() uint64 {
	g := generators.Get().(*rand.ChaCha8)
	defer generators.Put(g)
	return g.Uint64()
}

// Append appends u in its dashed, lowercase form to dst.
func Append(dst []byte, u uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	for i, c := range u {
		switch i {
		case 4, 6, 8, 10:
			dst = append(dst, '-')
		}
		dst = append(dst, hex[c>>4], hex[c&0xf])
	}
	return dst
}
