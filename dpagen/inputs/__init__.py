"""Reading the workspace: positioned YAML, schemas, clause library, register, agreements."""
