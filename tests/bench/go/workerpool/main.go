// workerpool: a pool of -w worker goroutines fed jobs over a channel by a
// producer, each job hashing a small buffer, results gathered over another
// channel. Prints the time per job and jobs per second. With -seconds it
// instead runs about that long, -seconds x -rate jobs paced at -rate per second (a steady
// workload for watching the recorder's memory) and prints the jobs done.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"time"

	"gotl/bench/internal/gotrace"
)

type job struct {
	id  int
	buf []byte
}

func main() {
	n := flag.Int("n", 100000, "jobs")
	w := flag.Int("w", 8, "workers")
	size := flag.Int("size", 512, "bytes hashed per job")
	seconds := flag.Float64("seconds", 0, "run this long at -rate jobs/s instead of -n jobs")
	rate := flag.Int("rate", 5000, "jobs per second with -seconds")
	flag.Parse()
	jobs := make(chan job, *w)
	results := make(chan [32]byte, *w)
	for k := 0; k < *w; k++ {
		go func() {
			for j := range jobs {
				j.buf[0] = byte(j.id)
				results <- sha256.Sum256(j.buf)
			}
		}()
	}
	total := *n
	if *seconds > 0 {
		total = int(*seconds * float64(*rate))
	}
	gotrace.Start()
	t0 := time.Now()
	go func() {
		buf := make([]byte, *size)
		for i := 0; i < total; i++ {
			if *seconds > 0 && i%100 == 0 {
				// pace: job i is due at t0 + i/rate
				due := t0.Add(time.Duration(float64(i) / float64(*rate) * float64(time.Second)))
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
			}
			jobs <- job{i, append([]byte(nil), buf...)}
		}
		close(jobs)
	}()
	var x byte
	done := 0
	for ; done < total; done++ {
		r := <-results
		x ^= r[0]
	}
	el := time.Since(t0)
	gotrace.Stop()
	fmt.Printf("ns_per_op %.1f\nops %d\nops_per_s %.0f\nxor %d\n", float64(el.Nanoseconds())/float64(done),
		done, float64(done)/el.Seconds(), x)
}
