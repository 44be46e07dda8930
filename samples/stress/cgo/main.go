// cgo crosses the Go/C boundary many times in both directions: 8
// goroutines each make 500 cgo calls, every 10th of which calls back into
// Go from the calling thread (Go -> C -> Go, the callback itself calling
// into C again and blocking on a channel); and two C-created pthreads call
// back into Go 200 times each (the runtime runs those callbacks on "extra"
// Ms, with a goroutine that exists only while a callback runs). It prints
// sums that do not depend on scheduling; it must not print goids or
// anything timing-dependent outside the truth line. Needs CGO_ENABLED=1.
package main

/*
#include <pthread.h>
#include <stdint.h>

extern uint64_t goAdd(uint64_t, int);
extern void goFromThread(int, int);

static uint64_t mix(uint64_t x) {
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

// Called from Go; every 10th call calls back into Go on this thread.
static uint64_t c_call(uint64_t x, int i) {
	if (i % 10 == 0)
		return goAdd(mix(x), i);
	return mix(x + i);
}

static void *thread_main(void *arg) {
	int id = (int)(intptr_t)arg, i;

	for (i = 0; i < 200; i++)
		goFromThread(id, i);
	return 0;
}

// Starts two pthreads that call back into Go and waits for them (the
// calling goroutine stays in C meanwhile).
static void run_threads(void) {
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		pthread_create(&t[i], 0, thread_main, (void *)(intptr_t)(i + 1));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], 0);
}
*/
import "C"

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"gotl/samples/internal/truth"
)

const (
	callers = 8
	calls   = 500
)

var (
	inlineCallbacks uint64
	threadCallbacks uint64
	threadSum       uint64
	server          = make(chan uint64)
	replies         = make(chan uint64)
	threadGoids     sync.Map
)

//export goAdd
func goAdd(x C.uint64_t, i C.int) C.uint64_t {
	atomic.AddUint64(&inlineCallbacks, 1)
	// Back into C from the callback, then block on a channel.
	y := uint64(C.c_call(x, C.int(i+1)))
	server <- y
	return C.uint64_t(<-replies)
}

//export goFromThread
func goFromThread(id, i C.int) {
	atomic.AddUint64(&threadCallbacks, 1)
	atomic.AddUint64(&threadSum, uint64(id)*1000+uint64(i))
	threadGoids.Store(truth.Goid(), true)
}

func main() {
	go func() {
		for v := range server {
			replies <- v ^ 0x5bd1e995
		}
	}()
	var wg sync.WaitGroup
	var ids truth.IDs
	sums := make([]uint64, callers)
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			ids.Add(truth.Goid())
			x := uint64(c)
			for i := 0; i < calls; i++ {
				x = uint64(C.c_call(C.uint64_t(x), C.int(i)))
			}
			sums[c] = x
		}(c)
	}
	wg.Wait()
	C.run_threads()
	var sum uint64
	for _, s := range sums {
		sum = sum*31 + s
	}
	fmt.Printf("cgo: %d goroutines x %d calls, checksum %016x\n", callers, calls, sum)
	fmt.Printf("callbacks: %d inline, %d from C threads (sum %d)\n",
		atomic.LoadUint64(&inlineCallbacks), atomic.LoadUint64(&threadCallbacks),
		atomic.LoadUint64(&threadSum))
	tg := []uint64{}
	threadGoids.Range(func(k, v interface{}) bool {
		tg = append(tg, k.(uint64))
		return true
	})
	sort.Slice(tg, func(i, j int) bool { return tg[i] < tg[j] })
	truth.Print(truth.Fields{
		"sample":           "cgo",
		"main_goid":        truth.Goid(),
		"caller_goids":     ids.List(),
		"inline_callbacks": atomic.LoadUint64(&inlineCallbacks),
		"thread_callbacks": atomic.LoadUint64(&threadCallbacks),
		"thread_goids":     tg,
	})
}
