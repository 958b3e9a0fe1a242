package state

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPersistWriteFailure: once a record cannot be written, the change
// that needed it and every later one fail with ErrStateNotWritten (the
// file stays what was acknowledged), reads go on, and the file opens
// with every change acknowledged before.
func TestPersistWriteFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	clock := NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	st, err := Open(path, &Seed{Projects: []Project{{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"}}}, WithClock(clock))
	require.NoError(t, err)
	require.NoError(t, st.AddHost(Host{Name: "kept"}))
	require.NoError(t, st.persist.f.Close()) // the disk goes away

	err = st.AddHost(Host{Name: "lost"})
	require.ErrorIs(t, err, ErrStateNotWritten)
	_, err = st.AddProject(Project{Name: "also-lost"})
	require.ErrorIs(t, err, ErrStateNotWritten, "every later change fails too")
	_, err = st.Host("lost")
	assert.NoError(t, err, "reads go on, from memory")
	assert.Error(t, st.Close())

	again, err := Open(path, nil, WithClock(clock))
	require.NoError(t, err)
	defer again.Close()
	_, err = again.Host("kept")
	assert.NoError(t, err)
	_, err = again.Host("lost")
	assert.True(t, errors.Is(err, ErrNotFound))
}
