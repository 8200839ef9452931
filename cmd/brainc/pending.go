package main

import (
	"errors"
	"io"
)

func cmdRun(args []string, stdout, stderr io.Writer) error      { return errors.New("todo") }
func cmdValidate(args []string, stdout, stderr io.Writer) error { return errors.New("todo") }
func cmdModels(args []string, stdout, stderr io.Writer) error   { return errors.New("todo") }
