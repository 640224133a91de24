## Problems found in uploaded files: one message per issue code of domain/media.py,
## domain/portrait.py and domain/scans.py. The bot shows issue-<code> with the issue's params
## as variables. Pixel sizes are printed without digit grouping ("4032×3024").

## Any file

issue-file-empty = The file is empty (0 bytes); the upload was probably interrupted. Please send it again.
issue-file-format-unsupported = { $detected ->
    [unknown] We could not recognise the file format.
   *[other] { $detected } files are not accepted here.
} Accepted formats: { $accepted }. Please save or export the file in one of them and send it again.
issue-file-too-big = The file is larger than { $limit_mb } MB. Please make it smaller, for example save the photo at a lower quality or scan the document at 200–300 dpi, and send it again.
issue-file-damaged = We could not open the file: it seems to be damaged or incompletely uploaded. Please open it on your device, save it again and resend it.
issue-image-too-large = The image is too large: over { $limit_mp } megapixels. Please save a smaller copy (for example 4000×3000 pixels) and send that.
issue-image-animated = This is an animated image. Please send an ordinary photo or scan as JPEG or PNG.
issue-file-too-complex = This file is too complex to check in time (a PDF built of many nested layers, for example). Please send a photo of the page taken with your phone, or a scan as JPEG or PNG, or a simpler PDF straight from the scanner.

## Photo 3×4

issue-portrait-low-resolution = The photo does not have enough resolution to print at 3×4 cm (yours is { NUMBER($width, useGrouping: 0) }×{ NUMBER($height, useGrouping: 0) } px). Please take it with your phone's main camera so that your head and shoulders fill most of the frame, and send it at full quality, not a screenshot. The short side must be at least 600 pixels.
issue-portrait-no-face = We could not find a face in the photo. Please face the camera directly, with your face uncovered, no dark glasses or headwear, in even light.
issue-portrait-many-faces = There are several faces in the photo ({ $count }). Please send a photo with only you in the frame.
issue-portrait-face-small = Your face is too small in the photo. Please come closer to the camera: your head and shoulders should fill most of the frame.
issue-portrait-face-cut = Your head is too close to the edge of the frame or does not fit in it. Please stand in the centre and step back a little, so there is free space above and beside your head and your shoulders are in the frame.
issue-portrait-too-dark = The photo is too dark; your face is hard to see. Please take it in daylight or bright even light, facing the light.
issue-portrait-too-bright = The photo is overexposed: your face is too bright and its features are lost. Please turn off the flash, move away from a bright lamp or direct sunlight, and take it again.
issue-portrait-background = The background behind you must be light and plain, without shadows or objects. Please stand in front of a light wall and take the photo again.
issue-portrait-blurred = The photo is blurred. Please hold the phone still, wipe the lens, let it focus on your face and take the photo again.
issue-portrait-slightly-blurred = The photo is slightly soft. You can use it, but a new one would be better: hold the phone still and let it focus on your face.

## Document scans and photos of documents

issue-scan-low-resolution = The resolution is too low: the short side of the image is { NUMBER($short_side, useGrouping: 0) } px, and a document needs at least { NUMBER($minimum, useGrouping: 0) } to be legible. Please photograph the whole document with your phone's main camera or scan it at 200–300 dpi, and send it as a file.
issue-scan-low-contrast = The image is washed out: the text almost merges with the background. Please photograph the document in good light without glare, or scan it in colour or greyscale mode.
issue-scan-blurred = The image is blurred and the text cannot be read. Please put the document on a flat surface, hold the phone still and let it focus, or scan the document.

## PDF

issue-pdf-password = The PDF is password-protected, so it cannot be opened. Please save a copy without a password (for example via "Print" → "Save as PDF") and send that.
issue-pdf-too-many-pages = The PDF has { $pages } pages; at most { $limit } are allowed. Please keep only the pages needed, or split the document into several files.
issue-pdf-page-size = Page { $page } of the PDF has an unusual size: { NUMBER($width_mm, useGrouping: 0) }×{ NUMBER($height_mm, useGrouping: 0) } mm. Please save the document again as A4 (for example via "Print" → "Save as PDF") and send it again.
issue-scan-pdf-low-dpi = The scan on page { $page } has too low a resolution ({ $dpi } dpi) for the text to be legible. Please scan the document at { $recommended } dpi or more (200–300 is best) and send it again.
issue-scan-pdf-dpi-borderline = The scan on page { $page } is { $dpi } dpi, which is barely legible. You can continue, but a scan at { $recommended } dpi or more would be better.
issue-scan-pdf-low-contrast = Page { $page } looks washed out: the text hardly stands out from the background. Please check that everything is legible; if not, scan it again.
issue-scan-pdf-blurred = Page { $page } looks blurred. Please check that the text is legible; if not, scan it again.
