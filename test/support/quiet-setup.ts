import { installOutputCapture } from '#test/support/captured-output';

// Every test process keeps the handlers' JSON log lines in memory instead of printing them.
installOutputCapture();
