// mutex: what a sync.Mutex handoff costs. Two goroutines pass the turn to
// each other through two mutexes used as binary semaphores: each round, each
// goroutine Locks a mutex the other holds (it parks on the mutex's
// semaphore) and is readied by the other's Unlock: 2 parks, 2 readies,
// 2 runs, 6 transitions per round (fewer when a Lock's brief spinning
// catches the Unlock). Prints the time per round. (Plain contention of
// several goroutines on one mutex mostly spins or barges and parks too
// rarely to measure a per-transition cost, so it is not the workload here.)
package main

import (
	"flag"
	"fmt"
	"sync"
	"time"

	"gotl/bench/internal/gotrace"
)

func main() {
	n := flag.Int("n", 200000, "rounds")
	flag.Parse()
	var a, b sync.Mutex // both held: main waits on a, the peer on b
	a.Lock()
	b.Lock()
	done := make(chan struct{})
	gotrace.Start()
	t0 := time.Now()
	go func() {
		for i := 0; i < *n; i++ {
			b.Lock() // main's turn is over
			a.Unlock()
		}
		close(done)
	}()
	for i := 0; i < *n; i++ {
		b.Unlock()
		a.Lock() // the peer's turn is over
	}
	<-done
	el := time.Since(t0)
	gotrace.Stop()
	fmt.Printf("ns_per_op %.1f\nops %d\ntransitions_per_op 6\n",
		float64(el.Nanoseconds())/float64(*n), *n)
}
