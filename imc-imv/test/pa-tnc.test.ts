/**
 * The PA-TNC library's tests, in one process: every test process pays tsx's start-up (about
 * half a second of CPU), so the topics are modules under suites/ and this file runs them all,
 * keeping `node --import tsx --test imc-imv/test/*.test.ts` within a few seconds.
 *
 * Tiers (STYLE.md): byte vectors from the real peers first (strongSwan 5.9.8 captures), then
 * per-attribute vectors, messages and segmentation, then property fuzzing of every decoder.
 * Run one topic alone with `node --import tsx --test imc-imv/test/suites/message.ts`.
 */
import './suites/captures.js';
import './suites/attributes.js';
import './suites/message.js';
import './suites/segmentation.js';
import './suites/fuzz.js';
