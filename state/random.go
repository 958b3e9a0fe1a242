package state

import (
	"github.com/google/uuid"

	"github.com/novastub/novastub/internal/uuid4"
)

// newUUID4 returns a random (version 4) UUID.
func newUUID4() uuid.UUID { return uuid4.New() }
