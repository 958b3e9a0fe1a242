package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The state file is a log of records, one a line: the header, the
// snapshot's records (the whole model), then one record per change. Each
// line is the CRC-32C of its JSON, in 8 lowercase hex digits, a space, the
// JSON and a newline, so that a line checks itself:
//
//	1c291ca3 {"op":"header","data":{"format":"novastub-state","version":1,"records":12,...}}
//	7f0e5b1a {"op":"project","data":{"id":"1ab83fbf1b594600bfa618dc33694dd6","name":"demo",...}}
//	...
//	09c4d2e8 {"op":"server","data":{"ID":"365313c5-...","VMState":"active",...,"seq":3}}

// stateFormat and stateVersion are what a state file's header says it is.
const (
	stateFormat  = "novastub-state"
	stateVersion = 1
)

// maxRecordBytes bounds a line of the state file, on the way out and on
// the way in: a record is one object of the model (the largest is a seed
// entity loaded through the control plane, whose body is at most 64 MiB).
const maxRecordBytes = 128 << 20

// crcTable is CRC-32C (Castagnoli), which CPUs compute in hardware.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// FileError is a state file that cannot be read: where (the line, from 1,
// and the byte offset of its start) and what is wrong. A store is never
// opened from such a file: Open returns the error.
type FileError struct {
	Path   string // the state file
	Line   int    // the bad line, from 1; 0 for the file as a whole
	Offset int64  // the byte offset of the line's start
	Reason string // what is wrong
	Err    error  // the cause, if any
}

// Error describes the failure and says where.
func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("state file %s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("state file %s: line %d (byte offset %d): %s", e.Path, e.Line, e.Offset, e.Reason)
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// SyncPolicy says when a persisted store flushes its state file to stable
// storage (fsync). Every change is written to the file (write(2)) before
// the call that makes it returns, whatever the policy: a change survives
// the process being killed (kill -9) once it is acknowledged. The policy
// decides what survives a crash of the machine (power loss, a kernel
// panic).
type SyncPolicy struct {
	always   bool
	interval time.Duration // 0 with !always: never
}

// SyncAlways flushes every change before the call that makes it returns:
// an acknowledged change survives power loss. Changes wait on the disk's
// flush, one after the other.
func SyncAlways() SyncPolicy { return SyncPolicy{always: true} }

// SyncEvery flushes the file every d while it has changes: power loss
// loses at most the changes of the last d. DefaultSync is SyncEvery(1 s).
func SyncEvery(d time.Duration) SyncPolicy { return SyncPolicy{interval: d} }

// SyncNever leaves flushing to the operating system (Linux writes dirty
// pages back within about 30 s).
func SyncNever() SyncPolicy { return SyncPolicy{} }

// DefaultSync is the sync policy of Open unless WithSync says otherwise:
// a flush every second.
var DefaultSync = SyncEvery(time.Second)

// ParseSyncPolicy reads a policy as the stub's -state-sync flag gives it:
// "always", "never" or a duration such as "1s" or "250ms".
func ParseSyncPolicy(s string) (SyncPolicy, error) {
	switch s {
	case "always":
		return SyncAlways(), nil
	case "never":
		return SyncNever(), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return SyncPolicy{}, fmt.Errorf("%q is not always, never or a positive duration (1s, 250ms)", s)
	}
	return SyncEvery(d), nil
}

// String writes the policy as ParseSyncPolicy reads it.
func (p SyncPolicy) String() string {
	switch {
	case p.always:
		return "always"
	case p.interval == 0:
		return "never"
	}
	return p.interval.String()
}

// persister appends a store's changes to its state file and compacts it.
// Its mu serializes the writes; a store takes its own lock (s.mu, in any
// mode) before mu, never after.
type persister struct {
	path       string
	sync       SyncPolicy
	compactMin int64 // the log may grow to max(compactMin, snapshot size) past the snapshot

	mu        sync.Mutex
	f         *os.File
	buf       bytes.Buffer
	enc       *json.Encoder
	err       error // the first failure; every later write fails with it
	closed    bool
	dirty     bool  // written since the last flush
	snapBytes int64 // the size of the snapshot at the file's start
	logBytes  int64 // what was appended after it

	snapshot   func(*snapshotWriter) // writes the store's model; its lock is held
	logger     *slog.Logger
	clockWatch *func() // what the store's clock calls when it moves
	compactNow chan struct{}
	done       chan struct{}
	stop       sync.Once
	wg         sync.WaitGroup
}

func newPersister(path string, sync SyncPolicy, compactMin int64) *persister {
	p := &persister{path: path, sync: sync, compactMin: compactMin,
		compactNow: make(chan struct{}, 1), done: make(chan struct{})}
	p.enc = json.NewEncoder(&p.buf)
	p.enc.SetEscapeHTML(false)
	return p
}

// frame encodes a record as a line of the file into p.buf: the checksum,
// a space, the JSON and a newline. p.mu is held.
func (p *persister) frame(op string, data any) ([]byte, error) {
	p.buf.Reset()
	p.buf.WriteString("00000000 ")
	if err := p.enc.Encode(lineJSON{Op: op, Data: data}); err != nil {
		return nil, err
	}
	line := p.buf.Bytes()
	if len(line) > maxRecordBytes {
		return nil, fmt.Errorf("a %s record of %d bytes is larger than a state file takes (%d)", op, len(line), maxRecordBytes)
	}
	putHex32(line[:8], crc32.Checksum(line[9:len(line)-1], crcTable))
	return line, nil
}

// lineJSON is a line's JSON: the record's kind and its data.
type lineJSON struct {
	Op   string `json:"op"`
	Data any    `json:"data"`
}

func putHex32(b []byte, v uint32) {
	const digits = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
}

// append writes one record of a change of the store at the end of the
// file, and flushes it when the policy says so, before it returns. A
// failure is kept: every later append returns it. The store's lock is
// held (for writing), p.mu is not.
//
// The log past the snapshot is compacted in the background once it is
// larger than the snapshot and compactMin; should it reach twice that
// first, the change that gets it there compacts it before it returns,
// which bounds the file.
func (p *persister) append(op string, data any) error {
	return p.appendWith(func() (string, any) { return op, data })
}

// appendWith calls change and writes the record it returns, under p.mu:
// see Store.persistWith.
func (p *persister) appendWith(change func() (op string, data any)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	op, data := change()
	if err := p.appendLocked(op, data); err != nil {
		return err
	}
	if p.logBytes > 2*max(p.compactMin, p.snapBytes) {
		p.compact() // the change is written whether or not this works
	}
	return nil
}

// compact replaces the file by a snapshot; a failure leaves the log as it
// is, and growing. p.mu and the store's lock are held.
func (p *persister) compact() {
	before := p.snapBytes + p.logBytes
	if err := p.replaceFile(p.snapshot); err != nil {
		p.logger.Error("state file: compaction failed; the log goes on growing", "path", p.path, "err", err)
		return
	}
	p.logger.Debug("state file compacted", "path", p.path, "bytes_before", before, "bytes_after", p.snapBytes)
}

func (p *persister) appendLocked(op string, data any) error {
	switch {
	case p.err != nil:
		return p.err
	case p.closed:
		return fmt.Errorf("%w: the store is closed", ErrStateNotWritten)
	}
	line, err := p.frame(op, data)
	if err == nil {
		_, err = p.f.Write(line)
	}
	if err == nil && p.sync.always {
		err = p.f.Sync()
	}
	if err != nil {
		p.err = fmt.Errorf("%w: %s: %v", ErrStateNotWritten, p.path, err)
		return p.err
	}
	p.dirty = true
	p.logBytes += int64(len(line))
	if p.logBytes > max(p.compactMin, p.snapBytes) {
		select {
		case p.compactNow <- struct{}{}:
		default: // one is asked for already
		}
	}
	return nil
}

// flush syncs the file if it has changes, without holding p.mu while the
// disk works.
func (p *persister) flush() {
	p.mu.Lock()
	f, dirty := p.f, p.dirty
	p.dirty = false
	p.mu.Unlock()
	if !dirty || f == nil {
		return
	}
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		p.mu.Lock()
		if p.err == nil {
			p.err = fmt.Errorf("%w: %s: %v", ErrStateNotWritten, p.path, err)
		}
		p.mu.Unlock()
	}
}

// snapshotWriter writes a new state file beside the old one.
type snapshotWriter struct {
	p     *persister
	f     *os.File
	w     *bufio.Writer
	n     int64
	count int
	err   error
}

// put writes one record of the snapshot.
func (sw *snapshotWriter) put(op string, data any) {
	if sw.err != nil {
		return
	}
	line, err := sw.p.frame(op, data)
	if err == nil {
		_, err = sw.w.Write(line)
	}
	sw.n += int64(len(line))
	sw.count++
	sw.err = err
}

// replaceFile writes a snapshot to path.tmp with write, flushes it and
// renames it over the state file, then appends go to it. p.mu is held.
func (p *persister) replaceFile(write func(sw *snapshotWriter)) error {
	if p.closed {
		return fmt.Errorf("%w: the store is closed", ErrStateNotWritten)
	}
	tmp := p.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStateNotWritten, err)
	}
	sw := &snapshotWriter{p: p, f: f, w: bufio.NewWriterSize(f, 256<<10)}
	write(sw)
	err = sw.err
	if err == nil {
		err = sw.w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, p.path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(p.path))
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("%w: %s: %v", ErrStateNotWritten, p.path, err)
	}
	if p.f != nil {
		_ = p.f.Close()
	}
	p.f, p.snapBytes, p.logBytes, p.dirty = f, sw.n, 0, false
	// A failure of the old file is behind us: the new one holds everything.
	p.err = nil
	return nil
}

// syncDir flushes a directory, so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err // some systems cannot sync a directory: that is no failure
	}
	return nil
}

// close stops the flusher and the compactor, flushes and closes the file.
func (p *persister) close() error {
	p.stop.Do(func() { close(p.done) })
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.f == nil {
		p.closed = true
		return nil
	}
	p.closed = true
	err := p.f.Sync()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	p.f = nil
	if err != nil {
		return fmt.Errorf("state file %s: %w", p.path, err)
	}
	return nil
}

// lineReader reads a state file's lines, checking each one's checksum.
type lineReader struct {
	path   string
	r      *bufio.Reader
	line   int   // the number of the line last read
	offset int64 // where it starts
	next   int64 // where the next one starts
	buf    []byte
}

// errTorn marks a last line that has no newline: a record whose writing
// was cut short.
var errTorn = errors.New("torn")

// read returns the JSON of the next line, io.EOF at the end, errTorn for
// an unfinished last line, or a *FileError.
func (lr *lineReader) read() ([]byte, error) {
	lr.buf = lr.buf[:0]
	lr.offset = lr.next
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.buf = append(lr.buf, chunk...)
		lr.next += int64(len(chunk))
		if len(lr.buf) > maxRecordBytes {
			lr.line++
			return nil, lr.errorf(nil, "a line longer than %d bytes: this is no state file, or it is corrupt", maxRecordBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(lr.buf) == 0 {
				return nil, io.EOF
			}
			lr.line++
			return nil, errTorn
		}
		if err != nil {
			lr.line++
			return nil, lr.errorf(err, "cannot read: %v", err)
		}
		break
	}
	lr.line++
	line := lr.buf[:len(lr.buf)-1]
	if len(line) < 10 || line[8] != ' ' {
		return nil, lr.errorf(nil, "not a record (a checksum, a space and JSON): the file is corrupt")
	}
	want, ok := parseHex32(line[:8])
	if !ok {
		return nil, lr.errorf(nil, "not a record (its checksum is not 8 hex digits): the file is corrupt")
	}
	payload := line[9:]
	if got := crc32.Checksum(payload, crcTable); got != want {
		return nil, lr.errorf(nil, "checksum mismatch (%08x, the line says %08x): the record is corrupt", got, want)
	}
	return payload, nil
}

func (lr *lineReader) errorf(err error, format string, args ...any) *FileError {
	return &FileError{Path: lr.path, Line: lr.line, Offset: lr.offset, Reason: fmt.Sprintf(format, args...), Err: err}
}

func parseHex32(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

// decodeLine splits a line's JSON into its kind and its data.
func decodeLine(payload []byte) (op string, data json.RawMessage, err error) {
	var l struct {
		Op   string          `json:"op"`
		Data json.RawMessage `json:"data"`
	}
	if err := decodeStrict(payload, &l); err != nil {
		return "", nil, err
	}
	if l.Op == "" || l.Data == nil {
		return "", nil, errors.New(`a record needs "op" and "data"`)
	}
	return l.Op, l.Data, nil
}
