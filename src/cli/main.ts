#!/usr/bin/env node
import { runProgram } from './program.js';

// The `samsa` bin. Commands that keep running (samsa start) leave the process alive themselves.
const exitCode = await runProgram(process.argv);
if (exitCode !== null) process.exit(exitCode);
