"""Work across all clients: parallel builds, reports, status, sub-processor impact and notices."""
