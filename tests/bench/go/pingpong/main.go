// pingpong: what a goroutine transition costs. Two goroutines hand a token
// back and forth over unbuffered channels -n times; each round is four
// state transitions per goroutine pair (park, ready, run, ...). Prints the
// time per round.
package main

import (
	"flag"
	"fmt"
	"time"
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
	t0 := time.Now()
	for i := 0; i < *n; i++ {
		ping <- i
		<-pong
	}
	el := time.Since(t0)
	close(ping)
	fmt.Printf("ns_per_round %.1f\n", float64(el.Nanoseconds())/float64(*n))
}
