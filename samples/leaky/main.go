// leaky demonstrates the classic goroutine leak: Gather starts n workers
// that each send a result on an unbuffered channel, but it receives only
// the first one, so the other n-1 workers block forever in "chan send".
// n is 4, or $LEAKY_WORKERS.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"gotl/samples/internal/truth"
)

type result struct {
	goid  uint64 // the worker that sent this value
	value int
}

var (
	workers    truth.IDs
	registered sync.WaitGroup // each worker is Done just before its send

	mu         sync.Mutex
	blockFile  string // position of the send, set by arrive
	blockLine  int
	goFile     string // position of the go statement in Gather
	goLine     int
	gatherGoid uint64
	winner     uint64
)

// Gather returns the first of n results and leaks the other n-1 workers.
func Gather(n int) int {
	gatherGoid = truth.Goid()
	ch := make(chan result) // unbuffered: a send waits for a receiver
	registered.Add(n)
	for i := 0; i < n; i++ {
		goFile, goLine = truth.Here()
		go func(i int) {
			r := result{goid: truth.Goid(), value: compute(i)}
			arrive(r.goid)
			ch <- r // only one of these sends ever completes
		}(i)
	}
	r := <-ch
	winner = r.goid
	return r.value
}

func compute(i int) int {
	sum := 0
	for k := 0; k <= 1000*(i+1); k++ {
		sum += k
	}
	return sum
}

// arrive registers a worker and remembers the line after the call, which
// is where the worker is about to block.
func arrive(goid uint64) {
	file, line := truth.Caller(1)
	mu.Lock()
	blockFile, blockLine = file, line+1
	mu.Unlock()
	workers.Add(goid)
	registered.Done()
}

func main() {
	n := 4
	if v, err := strconv.Atoi(os.Getenv("LEAKY_WORKERS")); err == nil && v > 1 {
		n = v
	}
	fmt.Println("first result:", Gather(n))
	registered.Wait()                  // every worker has reached its send
	time.Sleep(100 * time.Millisecond) // and the losers are surely parked

	leaked := []uint64{}
	for _, id := range workers.List() {
		if id != winner {
			leaked = append(leaked, id)
		}
	}
	fmt.Println("leaked goroutines:", leaked)
	mu.Lock()
	defer mu.Unlock()
	truth.Print(truth.Fields{
		"sample":      "leaky",
		"main_goid":   truth.Goid(),
		"gather_goid": gatherGoid,
		"workers":     workers.List(),
		"winner":      winner,
		"leaked":      leaked,
		"go_file":     goFile,
		"go_line":     goLine + 1,
		"block_file":  blockFile,
		"block_line":  blockLine,
		"wait_reason": "chan send",
	})
}
