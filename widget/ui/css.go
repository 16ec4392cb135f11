package ui

import _ "embed"

// CSS is the widget's style sheet (web/widget.css). The server serves it
// under the widget's prefix and lists it in the go-app Handler's Styles.
// It names no external font or URL.
//
//go:embed web/widget.css
var CSS string
