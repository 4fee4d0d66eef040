"""Thin routes: parse and validate, call one service function, return."""
