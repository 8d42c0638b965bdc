package main

import (
	"fmt"
	"os"

	"github.com/typedgraph/graph/internal/specslice"
)

func main() {
	src, _ := os.ReadFile(os.Args[1])
	r, err := specslice.Slice(src, specslice.Options{Paths: os.Args[2:]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(r.YAML)
	for _, o := range r.Operations {
		fmt.Fprintln(os.Stderr, "op", o)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(os.Stderr, "note", n)
	}
}
