// mutex demonstrates lock contention: four workers take turns on one
// sync.Mutex and sleep ~200µs while holding it, so the others must park
// in Lock ("sync.Mutex.Lock" since Go 1.20, "semacquire" before).
package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"gotl/samples/internal/truth"
)

const (
	nWorkers   = 4
	iterations = 50
	hold       = 200 * time.Microsecond
)

func main() {
	var (
		mu       sync.Mutex
		counter  int    // guarded by mu
		lockFile string // guarded by mu: position of mu.Lock()
		lockLine int
		workers  truth.IDs
		wg       sync.WaitGroup
	)
	start := make(chan struct{})
	for w := 0; w < nWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			workers.Add(truth.Goid())
			<-start
			for i := 0; i < iterations; i++ {
				file, line := truth.Here()
				mu.Lock()
				lockFile, lockLine = file, line+1
				counter++
				time.Sleep(hold) // hold the lock while asleep
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	// Done runs before a goroutine returns: let them finish exiting, so a
	// trace of this run shows them gone.
	time.Sleep(5 * time.Millisecond)

	fmt.Println("counter:", counter)
	truth.Print(truth.Fields{
		"sample":        "mutex",
		"main_goid":     truth.Goid(),
		"workers":       workers.List(),
		"iterations":    iterations,
		"hold_us":       hold.Microseconds(),
		"holder_sleeps": true,
		"counter":       counter,
		"lock_file":     lockFile,
		"lock_line":     lockLine,
		"wait_reason":   mutexWaitReason(),
	})
}

// mutexWaitReason is how this runtime names a goroutine parked in Lock.
func mutexWaitReason() string {
	v := runtime.Version() // "go1.26.1", or "devel go1.27-abcdef ..."
	if i := strings.Index(v, "go1."); i >= 0 {
		minor := v[i+len("go1."):]
		if j := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			minor = minor[:j]
		}
		if n, err := strconv.Atoi(minor); err == nil && n < 20 {
			return "semacquire"
		}
	}
	return "sync.Mutex.Lock"
}
