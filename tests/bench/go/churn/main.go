// churn: a steady service's goroutines for watching gotl watch's memory over
// time: -n goroutines alive at any time, -rate of them a second ending and
// replaced by new ones (new goids, the same few sites), each waiting in one
// of four places (a sleep, a channel, a select, a mutex) for a while, plus
// -pool goroutines that wait for good. Runs -seconds and prints what it
// did. Its population does not grow: a watcher's memory must not either.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"
)

var mu sync.Mutex

func sleeper(d time.Duration, done chan<- struct{}) {
	time.Sleep(d)
	done <- struct{}{}
}

func receiver(d time.Duration, done chan<- struct{}) {
	c := make(chan int)
	go func() { time.Sleep(d); close(c) }()
	<-c
	done <- struct{}{}
}

func selecter(d time.Duration, done chan<- struct{}) {
	a := make(chan int)
	select {
	case <-a:
	case <-time.After(d):
	}
	done <- struct{}{}
}

func locker(d time.Duration, done chan<- struct{}) {
	time.Sleep(d)
	mu.Lock()
	mu.Unlock()
	done <- struct{}{}
}

func main() {
	n := flag.Int("n", 5000, "goroutines alive")
	rate := flag.Int("rate", 1000, "goroutines replaced a second")
	pool := flag.Int("pool", 200, "goroutines that wait for good")
	seconds := flag.Float64("seconds", 60, "how long to run")
	flag.Parse()
	never := make(chan int)
	for i := 0; i < *pool; i++ {
		go func() { <-never }()
	}
	kinds := []func(time.Duration, chan<- struct{}){sleeper, receiver, selecter, locker}
	done := make(chan struct{}, *n)
	// each lives n/rate seconds on average, so that about rate end each second
	life := float64(*n) / float64(*rate)
	start := func() {
		d := time.Duration((0.5 + rand.Float64()) * life * float64(time.Second))
		go kinds[rand.Intn(len(kinds))](d, done)
	}
	for i := 0; i < *n; i++ {
		start()
	}
	var made int64
	end := time.After(time.Duration(*seconds * float64(time.Second)))
	for {
		select {
		case <-done:
			start()
			atomic.AddInt64(&made, 1)
		case <-end:
			fmt.Printf("replaced %d\nalive %d\n", atomic.LoadInt64(&made), *n+*pool)
			return
		}
	}
}
