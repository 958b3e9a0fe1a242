package apiservice

import (
	"context"
	"log/slog"
)

// Discard is a logger that drops every record (slog.DiscardHandler is
// newer than the module's Go 1.22).
var Discard = slog.New(discardHandler{})

// discardHandler is a slog.Handler that drops every record.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
