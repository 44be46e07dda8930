// deeprec makes the runtime copy goroutine stacks while gotl's probes fire:
// 200 goroutines (at most 25 at a time) each recurse 4,000 frames deep with
// a few hundred bytes per frame, so each stack grows from 2 KiB to 2 MiB by
// repeated doubling (a copy each time), and every 500 frames a goroutine
// asks a server goroutine for a value over a channel and blocks until it
// answers, deep in its stack. main forces a GC now and then, which shrinks
// the stacks of blocked goroutines (another copy). It prints a checksum that
// does not depend on scheduling; it must not print anything that does.
package main

import (
	"fmt"
	"runtime"
	"sync"

	"gotl/samples/internal/truth"
)

const (
	workers    = 200
	concurrent = 25
	depth      = 4000
	every      = 500 // block on the server every this many frames
)

type request struct {
	v     uint64
	reply chan uint64
}

var requests = make(chan request)

// rec recurses n frames, each with a 256-byte array the compiler must keep
// on the stack, and blocks on the server every `every` frames.
//
//go:noinline
func rec(n int, seed uint64, reply chan uint64) uint64 {
	var pad [32]uint64
	for i := range pad {
		pad[i] = seed + uint64(i*n)
	}
	if n == 0 {
		return pad[7]
	}
	if n%every == 0 {
		requests <- request{seed ^ uint64(n), reply}
		seed = <-reply
	}
	r := rec(n-1, seed*31+pad[n%32], reply)
	return r ^ pad[(n+1)%32]
}

func server() {
	for r := range requests {
		r.reply <- r.v*0x9E3779B97F4A7C15 + 7
	}
}

func main() {
	go server()
	var ids truth.IDs
	var wg sync.WaitGroup
	sums := make([]uint64, workers)
	sem := make(chan struct{}, concurrent)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(w int) {
			defer wg.Done()
			ids.Add(truth.Goid())
			sums[w] = rec(depth, uint64(w), make(chan uint64))
			<-sem
		}(w)
		if w%40 == 39 {
			runtime.GC()
		}
	}
	wg.Wait()
	var sum uint64
	for _, s := range sums {
		sum = sum*1099511628211 ^ s
	}
	fmt.Printf("deeprec: %d goroutines x %d frames, checksum %016x\n", workers, depth, sum)
	truth.Print(truth.Fields{
		"sample":       "deeprec",
		"main_goid":    truth.Goid(),
		"worker_goids": ids.List(),
		"depth":        depth,
		"frame_min":    256,
		"blocks":       workers * (depth / every),
	})
}
