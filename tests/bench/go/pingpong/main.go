// pingpong: what a goroutine transition costs. Two goroutines hand a token
// back and forth over unbuffered channels -n times; each round is six
// state transitions (each goroutine parks, is readied and runs). Prints the
// time per round. With -trace FILE, Go's execution tracer records the
// rounds (for comparing gotl with it).
package main

import (
	"flag"
	"fmt"
	"time"

	"gotl/bench/internal/gotrace"
)

func main() {
	n := flag.Int("n", 200000, "rounds")
	flag.Parse()
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	gotrace.Start()
	t0 := time.Now()
	for i := 0; i < *n; i++ {
		ping <- i
		<-pong
	}
	el := time.Since(t0)
	gotrace.Stop()
	close(ping)
	fmt.Printf("ns_per_round %.1f\n", float64(el.Nanoseconds())/float64(*n))
	fmt.Printf("ns_per_op %.1f\nops %d\ntransitions_per_op 6\n", float64(el.Nanoseconds())/float64(*n), *n)
}
