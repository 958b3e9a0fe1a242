package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// DefaultCompactAfter is how many bytes of changes the state file takes
// past its snapshot before it is compacted, unless its snapshot is larger
// (see WithCompactAfter).
const DefaultCompactAfter = 8 << 20

// WithSync sets when a store made by Open flushes its state file (see
// SyncPolicy). Default: DefaultSync, a flush every second. New ignores it.
func WithSync(p SyncPolicy) Option { return func(s *Store) { s.syncPolicy = p } }

// WithCompactAfter sets when a store made by Open compacts its state file:
// once the changes written after the snapshot pass n bytes and the
// snapshot's own size, the whole model is written as a new snapshot in
// its place (in the background; by the change that takes the log past
// twice that, if the background is slower), so the file stays within
// three times the larger of the model's size and n. Default:
// DefaultCompactAfter (8 MiB). New ignores it.
func WithCompactAfter(n int64) Option { return func(s *Store) { s.compactAfter = n } }

// Open returns a store kept in the state file at path, so that it outlives
// the process: every change the store makes is appended to the file
// before the call that makes it returns (see SyncPolicy for what survives
// a crash of the machine), and the file is compacted as it grows (see
// WithCompactAfter). Call Close when done.
//
// When the file exists, the store is what it holds: the whole model, and
// what a seed does not hold (server times and faults, transitions under
// way, console tokens and texts, the identity service's tokens, the
// position of an OffsetClock or a ManualClock the store was given);
// transitions that came due while the process was down happen at once.
// seed is not loaded then (WithLogger tells so), but it is checked, since
// a caller may go back to it (the stub's reset does). A file whose last record
// is unfinished, or fails its check (the change being written when the
// process died, never acknowledged), loses that record, with a warning.
// Any other fault is a *FileError naming the line and byte offset and what
// is wrong, and Open fails: it never starts an empty model in place of a
// file it cannot read.
//
// When the file does not exist, the store is seed (nil: empty) and the
// file is created with it.
//
// One process at a time may use a state file.
func Open(path string, seed *Seed, opts ...Option) (*Store, error) {
	s := New(opts...)
	p := newPersister(path, s.syncPolicy, s.compactAfter)
	p.snapshot, p.logger = s.writeSnapshot, s.logger
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if seed != nil {
			if err := s.Load(seed); err != nil {
				return nil, err
			}
		}
		s.mu.Lock()
		p.mu.Lock()
		err = p.replaceFile(p.snapshot)
		p.mu.Unlock()
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		s.logger.Info("state file created", "path", path, "sync", p.sync.String())
	case err != nil:
		return nil, fmt.Errorf("state file %s: %w", path, err)
	default:
		if seed != nil {
			// Not loaded, but what a reset goes back to: it must load.
			if err := New(WithTimings(s.timings)).Load(seed); err != nil {
				_ = f.Close()
				return nil, err
			}
		}
		if err := s.openFile(p, f, seed != nil); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	s.persist = p
	s.watchClock()
	p.start(s)
	// Transitions due while the stub was down happen now, and are written.
	s.mu.Lock()
	s.advance(s.clock.Now())
	s.mu.Unlock()
	return s, nil
}

// openFile reads an existing state file into s and makes p append to it.
func (s *Store) openFile(p *persister, f *os.File, seeded bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.replay(f, p.path)
	if err != nil {
		return err
	}
	if res.torn != nil {
		if err := f.Truncate(res.size); err != nil {
			return fmt.Errorf("state file %s: cutting off an unfinished record: %w", p.path, err)
		}
		s.logger.Warn("state file: the last record was cut off", "path", p.path, "line", res.torn.Line,
			"offset", res.torn.Offset, "reason", res.torn.Reason)
	}
	// Appends go at the end: reopen for appending.
	af, err := os.OpenFile(p.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("state file %s: %w", p.path, err)
	}
	_ = f.Close()
	p.f, p.snapBytes, p.logBytes = af, res.snapBytes, res.size-res.snapBytes
	attrs := []any{"path", p.path, "records", res.records, "servers", s.servers.len(), "sync", p.sync.String()}
	if seeded {
		attrs = append(attrs, "seed", "not loaded: the state file holds the model (reset goes back to the seed)")
	}
	s.logger.Info("state restored", attrs...)
	if p.logBytes > max(p.compactMin, p.snapBytes) {
		p.compactNow <- struct{}{} // the channel is new: this does not block
	}
	return nil
}

// watchClock makes a clock the store can move write where it is to the
// state file each time it moves.
func (s *Store) watchClock() {
	w := s.persistClock
	s.persist.clockWatch = &w
	switch c := s.clock.(type) {
	case *OffsetClock:
		c.watch.Store(&w)
	case *ManualClock:
		c.watch.Store(&w)
	}
}

// unwatchClock stops the clock telling the store it moved (Close).
func (s *Store) unwatchClock() {
	w := s.persist.clockWatch
	switch c := s.clock.(type) {
	case *OffsetClock:
		c.watch.CompareAndSwap(w, nil)
	case *ManualClock:
		c.watch.CompareAndSwap(w, nil)
	}
}

// start runs the flusher (for SyncEvery) and the compactor.
func (p *persister) start(s *Store) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			select {
			case <-p.done:
				return
			case <-p.compactNow:
				s.compact()
			}
		}
	}()
	if p.sync.always || p.sync.interval <= 0 {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(p.sync.interval)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tick.C:
				p.flush()
			}
		}
	}()
}

// compact writes the model as a new snapshot in place of the state file,
// if the log is still past its bound. Readers go on meanwhile; changes
// wait.
func (s *Store) compact() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.logBytes > max(p.compactMin, p.snapBytes) && !p.closed {
		p.compact()
	}
}

// Close flushes and closes the state file of a store made by Open; later
// changes fail with ErrStateNotWritten. A store made by New has nothing to
// close.
func (s *Store) Close() error {
	if s.persist == nil {
		return nil
	}
	s.unwatchClock()
	return s.persist.close()
}
