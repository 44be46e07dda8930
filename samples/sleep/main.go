// sleep demonstrates timer sleeps: three goroutines call time.Sleep for
// 20, 40 and 60 ms at the same time, so each shows a "sleep" span at
// least that long. It reads CLOCK_BOOTTIME (the clock of gotl's traces)
// before it starts them and after they are done: their sleep spans must
// lie in between.
package main

import (
	"fmt"
	"sort"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"gotl/samples/internal/truth"
)

type sleeper struct {
	Goid uint64 `json:"goid"`
	Ms   int    `json:"ms"`
}

// boottime is CLOCK_BOOTTIME in ns (the time package has no way to read it).
func boottime() int64 {
	const clockBoottime = 7
	var ts syscall.Timespec
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockBoottime,
		uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		panic(e)
	}
	return ts.Nano()
}

func main() {
	before := boottime()
	var (
		mu        sync.Mutex
		sleepers  []sleeper // guarded by mu
		sleepFile string    // guarded by mu: position of time.Sleep
		sleepLine int
		wg        sync.WaitGroup
	)
	for _, ms := range []int{20, 40, 60} {
		wg.Add(1)
		go func(ms int) {
			defer wg.Done()
			id := truth.Goid()
			file, line := truth.Here()
			time.Sleep(time.Duration(ms) * time.Millisecond)
			mu.Lock()
			sleepers = append(sleepers, sleeper{Goid: id, Ms: ms})
			sleepFile, sleepLine = file, line+1
			mu.Unlock()
		}(ms)
	}
	wg.Wait()
	after := boottime()
	// Done runs before a goroutine returns: let them finish exiting, so a
	// trace of this run shows them gone.
	time.Sleep(5 * time.Millisecond)

	sort.Slice(sleepers, func(i, j int) bool { return sleepers[i].Ms < sleepers[j].Ms })
	fmt.Println("sleepers:", sleepers)
	truth.Print(truth.Fields{
		"sample":             "sleep",
		"main_goid":          truth.Goid(),
		"sleepers":           sleepers,
		"sleep_file":         sleepFile,
		"sleep_line":         sleepLine,
		"wait_reason":        "sleep",
		"boottime_before_ns": before,
		"boottime_after_ns":  after,
	})
}
