"""Where rendered files go, how they are named, and one agreement's files (dpagen render)."""
