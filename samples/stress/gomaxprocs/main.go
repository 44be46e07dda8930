// gomaxprocs runs the same scheduling patterns whatever GOMAXPROCS the
// environment gives it (the stress suite runs it with GOMAXPROCS=1 and
// GOMAXPROCS=16): a ping-pong over unbuffered channels, a worker pool fed
// through a channel, a mutex-protected counter hammered by every worker,
// and goroutines that yield with runtime.Gosched. It prints results that do
// not depend on scheduling (and GOMAXPROCS itself, which the environment
// fixes); it must not print anything that depends on timing or goids.
package main

import (
	"fmt"
	"runtime"
	"sync"

	"gotl/samples/internal/truth"
)

const (
	rounds  = 500
	workers = 8
	jobs    = 1000
)

func pingpong() int {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < rounds; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	return v
}

func pool() (uint64, int) {
	in := make(chan int)
	out := make(chan uint64, workers)
	var mu sync.Mutex
	counter := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s uint64
			for j := range in {
				x := uint64(j)
				for k := 0; k < 200; k++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
				s += x
				mu.Lock()
				counter++
				mu.Unlock()
				if j%50 == 0 {
					runtime.Gosched()
				}
			}
			out <- s
		}()
	}
	for j := 0; j < jobs; j++ {
		in <- j
	}
	close(in)
	wg.Wait()
	close(out)
	var sum uint64
	for s := range out {
		sum += s
	}
	return sum, counter
}

func main() {
	procs := runtime.GOMAXPROCS(0)
	pp := pingpong()
	sum, counter := pool()
	fmt.Printf("gomaxprocs: GOMAXPROCS=%d\n", procs)
	fmt.Printf("ping-pong: %d rounds, value %d\n", rounds, pp)
	fmt.Printf("pool: %d workers, %d jobs, counter %d, checksum %016x\n", workers, jobs, counter, sum)
	truth.Print(truth.Fields{
		"sample":     "gomaxprocs",
		"main_goid":  truth.Goid(),
		"gomaxprocs": procs,
		"rounds":     rounds,
		"workers":    workers,
	})
}
