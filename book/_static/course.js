/* The course site: small fixes to the theme (book/_ext/course_pages.py). */
