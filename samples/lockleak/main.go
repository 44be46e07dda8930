// lockleak has a goroutine wait for a sync.Mutex that its holder never
// unlocks (an error path that returns without Unlock, here main simply
// keeps it). The goroutine waits in "sync.Mutex.Lock" (Go 1.20+;
// "semacquire" before) until the program exits.
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

var mu sync.Mutex

func update(started chan<- uint64, file *string, line *int) {
	started <- truth.Goid()
	*file, *line = truth.Here()
	mu.Lock() // blocks forever: nobody unlocks mu
	mu.Unlock()
}

func main() {
	mu.Lock() // taken, and never given back
	started := make(chan uint64)
	var file string
	var line int
	goFile, goLine := truth.Here()
	go update(started, &file, &line)
	blocked := <-started
	time.Sleep(50 * time.Millisecond)
	fmt.Println("goroutine", blocked, "is still waiting for the lock")

	reason := "sync.Mutex.Lock"
	if minor, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(runtime.Version(), "go1."), ".")[0]); minor < 20 {
		reason = "semacquire"
	}
	truth.Print(truth.Fields{
		"sample":       "lockleak",
		"main_goid":    truth.Goid(),
		"blocked_goid": blocked,
		"go_file":      goFile,
		"go_line":      goLine + 1,
		"block_file":   file,
		"block_line":   line + 1,
		"wait_reason":  reason,
	})
}
