// pingpong passes a token back and forth between two goroutines over
// unbuffered channels, rounds times (the first argument, default 500):
// every round blocks and wakes each side once, the busiest scheduling
// pattern there is. The tests use it with a tiny ring buffer to make gotl
// lose events on purpose; the benchmarks use it to count the cost of a
// goroutine transition.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"gotl/samples/internal/truth"
)

func main() {
	rounds := 500
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: pingpong [rounds]")
			os.Exit(2)
		}
		rounds = n
	}
	ping, pong := make(chan int), make(chan int)
	done := make(chan uint64)
	go func() {
		done <- truth.Goid()
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	ponger := <-done
	start := time.Now()
	for i := 0; i < rounds; i++ {
		ping <- i
		<-pong
	}
	elapsed := time.Since(start)
	close(ping)
	fmt.Fprintf(os.Stderr, "%d rounds in %v (%.0f ns per round)\n", rounds, elapsed,
		float64(elapsed.Nanoseconds())/float64(rounds))
	truth.Print(truth.Fields{
		"sample":    "pingpong",
		"main_goid": truth.Goid(),
		"pong_goid": ponger,
		"rounds":    rounds,
	})
}
