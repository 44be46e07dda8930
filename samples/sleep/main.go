// sleep demonstrates timer sleeps: three goroutines call time.Sleep for
// 20, 40 and 60 ms at the same time, so each shows a "sleep" span at
// least that long.
package main

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"gotl/samples/internal/truth"
)

type sleeper struct {
	Goid uint64 `json:"goid"`
	Ms   int    `json:"ms"`
}

func main() {
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
	// Done runs before a goroutine returns: let them finish exiting, so a
	// trace of this run shows them gone.
	time.Sleep(5 * time.Millisecond)

	sort.Slice(sleepers, func(i, j int) bool { return sleepers[i].Ms < sleepers[j].Ms })
	fmt.Println("sleepers:", sleepers)
	truth.Print(truth.Fields{
		"sample":      "sleep",
		"main_goid":   truth.Goid(),
		"sleepers":    sleepers,
		"sleep_file":  sleepFile,
		"sleep_line":  sleepLine,
		"wait_reason": "sleep",
	})
}
