// The webcam: start/stop a stream into a <video>, pick front/back, with clear errors.

/** Starts the camera into `video` (`facing`: "", "user" or "environment"); throws a readable Error. */
export async function startCamera(video, { facing = '', onEnded = () => {} } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('this browser cannot use a camera here (it needs https or localhost)');
  }
  const constraints = { width: 640, height: 480, ...(facing ? { facingMode: facing } : {}) };
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: constraints, audio: false });
  } catch (err) {
    if (err.name === 'NotAllowedError') throw new Error('camera permission was denied');
    if (err.name === 'NotFoundError' || err.name === 'OverconstrainedError') throw new Error('no camera was found');
    throw new Error(`the camera could not start: ${err.message}`);
  }
  for (const track of stream.getVideoTracks()) track.addEventListener('ended', onEnded);
  video.srcObject = stream;
  await video.play();
  return stream;
}

/** Stops every track of the stream shown in `video`. */
export function stopCamera(video) {
  video.srcObject?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}

/**
 * The webcam: one picture, shown in the class card recording from it or in the webcam panel
 * (start/stop, camera choice, mirror, frame rate), and the frame grabber the class cards and
 * live prediction share. `ui`: { button, facing, mirror, fps,
 * video }; `onChange(running)`; `error(text)`.
 */
export class Camera {
  constructor(ui, { toRgb, onChange, error }) {
    Object.assign(this, { ui, toRgb, onChange, error });
    /** Where the picture shows when no class card has it: the webcam panel. */
    this.home = ui.video.parentElement;
    const showMirror = () => ui.video.classList.toggle('mirrored', ui.mirror.checked);
    ui.mirror.addEventListener('change', showMirror);
    showMirror();
    ui.button.addEventListener('click', () => (this.running ? this.stop() : this.toggleIn(null)));
  }

  /** The element showing the picture now (a class card's slot, or the panel). */
  get place() {
    return this.ui.video.parentElement;
  }

  /**
   * Shows the webcam in `slot` (a class card's, or the panel for null), starting it if needed;
   * asking again for the place it already shows in stops it.
   */
  async toggleIn(slot) {
    const target = slot ?? this.home;
    if (this.running && this.place === target) {
      this.stop();
      return;
    }
    target.append(this.ui.video);
    if (!this.running) return this.start();
    // The cards follow the picture in the same task that moves it (no moment where two can record).
    this.onChange(true);
    await this.ui.video.play(); // moving a playing video pauses it
  }

  /** Takes the picture back to the panel (its card is going away). */
  goHome() {
    if (this.place === this.home) return;
    this.home.append(this.ui.video);
    if (this.running) this.ui.video.play().catch(() => {});
  }

  get running() {
    return Boolean(this.ui.video.srcObject);
  }

  /** Frames per second for recording and live prediction (1–30). */
  fps() {
    return Math.min(30, Math.max(1, Number(this.ui.fps.value) || 10));
  }

  async start() {
    try {
      await startCamera(this.ui.video, {
        facing: this.ui.facing.value,
        onEnded: () => {
          this.error('the camera disappeared');
          this.onChange(false);
        },
      });
      this.ui.video.hidden = false;
      this.ui.button.textContent = 'Stop webcam';
      this.onChange(true);
    } catch (err) {
      this.error(err.message);
    }
  }

  stop() {
    stopCamera(this.ui.video);
    this.home.append(this.ui.video);
    this.ui.video.hidden = true;
    this.ui.button.textContent = 'Start webcam';
    this.onChange(false);
  }

  /** The current frame as 224² RGB (mirrored like the preview), or null without a picture. */
  grabFrame() {
    const { video } = this.ui;
    if (!video.srcObject || !video.videoWidth) return null;
    return this.toRgb(video, video.videoWidth, video.videoHeight, { mirror: this.ui.mirror.checked });
  }
}
