package state

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"sync"

	"github.com/google/uuid"
)

// generators are ChaCha8 generators, each seeded from crypto/rand: a
// cryptographically strong source, much cheaper per token than a system
// call each time.
var generators = sync.Pool{New: func() any {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("state: no randomness from crypto/rand: " + err.Error())
	}
	return rand.NewChaCha8(seed)
}}

// newUUID4 returns a random (version 4) UUID.
func newUUID4() uuid.UUID {
	g := generators.Get().(*rand.ChaCha8)
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], g.Uint64())
	binary.LittleEndian.PutUint64(u[8:], g.Uint64())
	generators.Put(g)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// randomUint32 returns a random number from the same source.
func randomUint32() uint32 {
	g := generators.Get().(*rand.ChaCha8)
	defer generators.Put(g)
	return uint32(g.Uint64())
}
