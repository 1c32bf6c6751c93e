// The app's camera: the front or back one, mirrored when it faces the person (as the trainer's
// webcam records by default), the screen kept awake while it runs, and a clear reason when there
// is no camera to be had.

/** Why the camera cannot start, in words that say what to do instead. */
export function cameraProblem(err) {
  if (!navigator.mediaDevices?.getUserMedia) return 'This browser offers no camera here (it needs https or localhost): pick a photo instead.';
  if (err?.name === 'NotAllowedError' || err?.name === 'SecurityError') return 'The camera was not allowed: allow it in the browser’s site settings, or pick a photo instead.';
  if (err?.name === 'NotFoundError' || err?.name === 'OverconstrainedError') return 'No camera was found on this device: pick a photo instead.';
  if (err?.name === 'NotReadableError') return 'The camera is busy in another app: close it there, or pick a photo instead.';
  return `The camera did not start (${err?.message ?? err}): pick a photo instead.`;
}

export class AppCamera {
  constructor(video) {
    this.video = video;
    this.stream = null;
    this.wakeLock = null;
    document.addEventListener('visibilitychange', () => this.stream && document.visibilityState === 'visible' && this.keepAwake());
  }

  get running() {
    return this.stream !== null;
  }

  /** Starts the camera facing `facing` ('user' | 'environment'); throws an Error saying what to do. */
  async start(facing) {
    this.stop();
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no getUserMedia');
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: facing }, width: { ideal: 640 } }, audio: false });
    } catch (err) {
      throw new Error(cameraProblem(err));
    }
    this.mirror = facing === 'user';
    this.video.classList.toggle('mirrored', this.mirror);
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    await this.video.play();
    if (this.video.readyState < 2) await new Promise((resolve) => this.video.addEventListener('loadeddata', resolve, { once: true }));
    await this.keepAwake();
  }

  stop() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.hidden = true;
    this.video.srcObject = null;
    this.wakeLock?.release().catch(() => {});
    this.wakeLock = null;
  }

  /** Keeps the screen on while the camera runs (where the browser allows it). */
  async keepAwake() {
    try {
      this.wakeLock = (await navigator.wakeLock?.request('screen')) ?? null;
    } catch {
      this.wakeLock = null; // refused (battery saver, no permission): the screen may dim
    }
  }

  /** Resolves at the camera's next frame. */
  nextFrame() {
    if (this.video.requestVideoFrameCallback) return new Promise((resolve) => this.video.requestVideoFrameCallback(() => resolve()));
    return new Promise((resolve) => requestAnimationFrame(() => resolve()));
  }
}
