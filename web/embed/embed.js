/* commentd embed widget */
"use strict";
