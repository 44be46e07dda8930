// Package truth lets the gotl samples report ground truth about themselves:
// goroutine ids and source positions, printed as a single
// "gotl-truth {json}" line on stdout that the end-to-end tests compare
// with the trace gotl recorded.
package truth

import (
	"bytes"
	"encoding/json"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

// Fields is the usual shape of a truth record.
type Fields = map[string]interface{}

// Goid returns the id of the calling goroutine, parsed from the
// "goroutine N [" header of its stack trace.
func Goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("truth: cannot parse goroutine id: " + err.Error())
	}
	return id
}

// Caller returns the source position of a call up the stack: Caller(0) is
// the position in the function that calls Caller, Caller(1) the position
// in that function's caller, and so on.
func Caller(skip int) (file string, line int) {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		panic("truth: runtime.Caller failed")
	}
	return file, line
}

// Here returns the file and line of the call to Here.
func Here() (file string, line int) { return Caller(1) }

// Line returns the line of the call to Line.
func Line() int {
	_, line := Caller(1)
	return line
}

// Print writes v as the one "gotl-truth {json}" line on stdout.
func Print(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("truth: " + err.Error())
	}
	os.Stdout.Write(append(append([]byte("gotl-truth "), b...), '\n'))
	os.Stdout.Sync() // a no-op (EINVAL) on pipes; matters for files
}

// IDs is a goroutine-safe collection of goroutine ids.
type IDs struct {
	mu  sync.Mutex
	ids []uint64
}

// Add records id.
func (s *IDs) Add(id uint64) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.mu.Unlock()
}

// List returns the recorded ids in ascending order (never nil, so it
// encodes as [] rather than null).
func (s *IDs) List() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append(make([]uint64, 0, len(s.ids)), s.ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
